import Glibc
import LockerSpec
import LockerSystem

/// AppArmor profiles and SELinux labels: applied on exec where the host has the LSM, and a
/// clear refusal at create where it is asked for and the host has none.
enum Labels {
    static var appArmorEnabled: Bool { ((try? Files.readString("/sys/module/apparmor/parameters/enabled")) ?? "").hasPrefix("Y") }
    static var seLinuxEnabled: Bool { Files.exists("/sys/fs/selinux/enforce") }

    static func validate(_ spec: Spec) throws {
        if let p = spec.process?.apparmorProfile, !p.isEmpty, !appArmorEnabled {
            throw LockerError("process.apparmorProfile \(p.debugDescription): AppArmor is not enabled on this host")
        }
        if let l = spec.process?.selinuxLabel, !l.isEmpty, !seLinuxEnabled {
            throw LockerError("process.selinuxLabel \(l.debugDescription): SELinux is not enabled on this host")
        }
        if let l = spec.linux?.mountLabel, !l.isEmpty, !seLinuxEnabled {
            throw LockerError("linux.mountLabel \(l.debugDescription): SELinux is not enabled on this host")
        }
    }

    /// Sets what the next execve will run under.
    static func applyOnExec(_ p: Spec.Process) throws {
        if let profile = p.apparmorProfile, !profile.isEmpty {
            let path = Files.exists("/proc/self/attr/apparmor/exec") ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec"
            Trace.step("apparmor: exec \(profile)")
            try Files.writeExisting(path, "exec \(profile)")
        }
        if let label = p.selinuxLabel, !label.isEmpty {
            Trace.step("selinux: exec label \(label)")
            try Files.writeExisting("/proc/self/attr/exec", label)
        }
    }
}
