import CLockerShim
import Glibc
import LockerSpec
import LockerSystem

/// The process's identity and privileges, set in runc's order: bounding set, keep caps across
/// the user change, groups/gid/uid, then the remaining capability sets and ambient.
enum Credentials {
    static let rlimitNumbers: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
        "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
        "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]

    static func applyRlimits(_ limits: [Spec.Rlimit]) throws {
        for r in limits {
            guard let n = rlimitNumbers[r.type] else { throw LockerError("process.rlimits: unknown rlimit \(r.type)") }
            Trace.step("setrlimit \(r.type) soft=\(r.soft) hard=\(r.hard)")
            try sys("setrlimit \(r.type)") { locker_setrlimit(n, r.soft, r.hard) }
        }
    }

    /// Resolves capability names; names the running kernel lacks are dropped with a trace line.
    static func resolve(_ names: [String]?, set: String) throws -> [Int] {
        var out: [Int] = []
        for name in names ?? [] {
            guard let n = Capability.number(name) else { throw LockerError("process.capabilities.\(set): unknown capability \(name.debugDescription)") }
            if n > Capability.lastSupported {
                Trace.step("capability \(name) is not known to this kernel: dropped")
                continue
            }
            out.append(n)
        }
        return out
    }

    static func apply(user: Spec.User, capabilities: Spec.Capabilities?, setgroupsAllowed: Bool) throws {
        let caps = capabilities
        let bounding = try resolve(caps?.bounding, set: "bounding")
        let effective = try resolve(caps?.effective, set: "effective")
        let permitted = try resolve(caps?.permitted, set: "permitted")
        let inheritable = try resolve(caps?.inheritable, set: "inheritable")
        let ambient = try resolve(caps?.ambient, set: "ambient")

        if caps != nil {
            Trace.step("capabilities: bounding set of \(bounding.count)")
            try Capability.dropBounding(keeping: bounding)
        }
        try Prctl.setKeepCaps(true)
        if setgroupsAllowed {
            let groups = (user.additionalGids ?? []).map { gid_t($0) }
            try sys("setgroups \(groups)") { groups.withUnsafeBufferPointer { locker_setgroups($0.count, $0.baseAddress) } }
        }
        Trace.step("switch user: setgroups \(setgroupsAllowed ? "\(user.additionalGids ?? [])" : "(denied in this user namespace)"), setresgid \(user.gid), setresuid \(user.uid)")
        try sys("setresgid \(user.gid)") { locker_setresgid(user.gid, user.gid, user.gid) }
        try sys("setresuid \(user.uid)") { locker_setresuid(user.uid, user.uid, user.uid) }
        try Prctl.setKeepCaps(false)
        if caps != nil {
            Trace.step("capabilities: effective \(effective.count), permitted \(permitted.count), inheritable \(inheritable.count), ambient \(ambient.count)")
            try Capability.set(effective: effective, permitted: permitted, inheritable: inheritable)
            if !ambient.isEmpty { try Capability.raiseAmbient(ambient) }
        }
    }

    /// PATH lookup as execvp does it, but with the container's PATH and inside its root.
    static func lookPath(_ name: String, env: [String]) throws -> String {
        if name.utf8.contains(UInt8(ascii: "/")) {
            if access(name, X_OK) == 0 { return name }
            throw LockerError("exec: \(name.debugDescription): \(Errno.name(errno)) (\(String(cString: strerror(errno))))")
        }
        let path = env.last(where: { $0.hasBytePrefix("PATH=") }) ?? Defaults.path
        // Byte-wise, as ByteFields says why; an empty entry is the current directory.
        for dir in ByteFields.split(Array(path.utf8).dropFirst(5), on: UInt8(ascii: ":"), keepEmpty: true) {
            let candidate = (dir.isEmpty ? "." : dir.text) + "/" + name
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        throw LockerError("exec: \(name.debugDescription): executable file not found in $PATH")
    }
}
