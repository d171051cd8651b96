import ArgumentParser
import Glibc
import LockerCgroups
import LockerRuntime
import LockerSpec
import LockerSystem

/// `ps`: the processes in a container's cgroup, as runc lists them.
struct PsCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "ps", abstract: "List the processes running in a container.")
    @Option(name: [.customShort("f"), .long], help: "table or json") var format = "table"
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough, help: "ps options (table format only).") var psArgs: [String] = []

    mutating func execute() throws {
        let c = try Globals.current.store.load(id)
        let pids = Cgroup(paths: c.cgroupPaths).pids()
        if format == "json" {
            try FD.writeAll(1, JSON.encode(pids) + [10])
            return
        }
        var rows = [["PID", "STATE", "CMD"]]
        for p in pids {
            let cmd = ((try? Files.read("/proc/\(p)/cmdline")) ?? []).map { $0 == 0 ? 32 : $0 }
            rows.append(["\(p)", Proc.state(p).map { String(decoding: [$0], as: UTF8.self) } ?? "?", String(decoding: cmd, as: UTF8.self).trimmingTrailingSpace()])
        }
        printTable(rows)
    }
}

extension String {
    func trimmingTrailingSpace() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// `features`: the runtime-spec features document, saying only what Locker really supports.
struct FeaturesCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "features", abstract: "Print what this runtime supports (OCI features JSON).")

    struct Features: Encodable {
        var ociVersionMin = "1.0.0"
        var ociVersionMax = Spec.version
        var hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
        var mountOptions: [String]
        var linux: Linux
        var annotations = ["org.opencontainers.runtime-spec.features": "locker"]
        struct Linux: Encodable {
            var namespaces = ["cgroup", "ipc", "mount", "network", "pid", "user", "uts", "time"]
            var capabilities: [String]
            var cgroup = ["v1": true, "v2": true, "systemd": false, "systemdUser": false, "rdma": false]
            var seccomp: Seccomp
            var apparmor = ["enabled": true]
            var selinux = ["enabled": true]
        }
        struct Seccomp: Encodable {
            var enabled = true
            var actions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                           "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"]
            var operators = ["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"]
            var archs = ["SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]
            var supportedFlags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]
        }
    }

    mutating func execute() throws {
        let opts = ["async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "lazytime", "loud", "mand",
                    "noatime", "nodev", "nodiratime", "noexec", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
                    "private", "rbind", "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw",
                    "shared", "silent", "slave", "strictatime", "suid", "sync", "unbindable"]
        let f = Features(mountOptions: opts, linux: .init(capabilities: Array(Capability.names.prefix(Capability.lastSupported + 1)), seccomp: .init()))
        try FD.writeAll(1, JSON.encode(f, pretty: true) + [10])
    }
}
