import CLockerShim
import CSeccomp
import Glibc
import LockerSpec
import LockerSystem

/// config.json's `linux.seccomp`, compiled and loaded with libseccomp in the container's
/// process. Syscall names this architecture lacks are skipped, as runc does.
enum Seccomp {
    /// `field` names the config field in the error; built only when there is one.
    static func action(_ name: String, errnoRet: UInt32?, field: @autoclosure () -> String) throws -> UInt32 {
        switch name {
        case "SCMP_ACT_ALLOW": return locker_act_allow()
        case "SCMP_ACT_ERRNO": return locker_act_errno(UInt16(errnoRet ?? UInt32(EPERM)))
        case "SCMP_ACT_TRACE": return locker_act_trace(UInt16(errnoRet ?? UInt32(EPERM)))
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return locker_act_kill_thread()
        case "SCMP_ACT_KILL_PROCESS": return locker_act_kill_process()
        case "SCMP_ACT_TRAP": return locker_act_trap()
        case "SCMP_ACT_LOG": return locker_act_log()
        case "SCMP_ACT_NOTIFY": return locker_act_notify()
        default: throw LockerError("\(field()): unknown seccomp action \(name.debugDescription)")
        }
    }

    static func op(_ name: String, field: @autoclosure () -> String) throws -> scmp_compare {
        switch name {
        case "SCMP_CMP_NE": return SCMP_CMP_NE
        case "SCMP_CMP_LT": return SCMP_CMP_LT
        case "SCMP_CMP_LE": return SCMP_CMP_LE
        case "SCMP_CMP_EQ": return SCMP_CMP_EQ
        case "SCMP_CMP_GE": return SCMP_CMP_GE
        case "SCMP_CMP_GT": return SCMP_CMP_GT
        case "SCMP_CMP_MASKED_EQ": return SCMP_CMP_MASKED_EQ
        default: throw LockerError("\(field()): unknown seccomp operator \(name.debugDescription)")
        }
    }

    /// Checks names and actions without loading anything, so create can refuse a bad profile
    /// with a clear message before it clones.
    static func validate(_ s: Spec.Seccomp) throws {
        _ = try action(s.defaultAction, errnoRet: s.defaultErrnoRet, field: "linux.seccomp.defaultAction")
        for (i, r) in (s.syscalls ?? []).enumerated() {
            _ = try action(r.action, errnoRet: r.errnoRet, field: "linux.seccomp.syscalls[\(i)].action")
            for (j, a) in (r.args ?? []).enumerated() {
                _ = try op(a.op, field: "linux.seccomp.syscalls[\(i)].args[\(j)].op")
                if a.index > 5 { throw LockerError("linux.seccomp.syscalls[\(i)].args[\(j)].index: \(a.index) is above 5") }
            }
        }
        for (i, r) in (s.syscalls ?? []).enumerated() {
            for name in r.names where seccomp_syscall_resolve_name(name) == locker_scmp_error() && !SeccompProfile.newerThanLibseccomp.contains(name) {
                throw LockerError("linux.seccomp.syscalls[\(i)].names: unknown syscall \(name.debugDescription)")
            }
        }
        for a in s.architectures ?? [] where arch(a) == nil {
            throw LockerError("linux.seccomp.architectures: unknown architecture \(a.debugDescription)")
        }
        for f in s.flags ?? [] where !["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"].contains(f) {
            throw LockerError("linux.seccomp.flags: unknown flag \(f.debugDescription)")
        }
    }

    static func arch(_ name: String) -> UInt32? {
        var n = name.lowercased()
        if n.hasBytePrefix("scmp_arch_") { n = String(decoding: Array(n.utf8).dropFirst(10), as: UTF8.self) }
        let a = seccomp_arch_resolve_name(n)
        return a == 0 ? nil : a
    }

    /// A filter compiled to classic BPF by libseccomp, ready for seccomp(2), with the flags
    /// to load it with.
    struct Compiled {
        var program: [UInt8]
        var flags: UInt32
        var notify: Bool
        /// Where the program is cached.
        var path: String
    }

    /// Compiles in the runtime's own process, before the clone, and keeps the result in a cache
    /// keyed by the profile and the libseccomp version: a container then only calls seccomp(2).
    static func compile(_ s: Spec.Seccomp, cacheDir: String) throws -> Compiled {
        var flags: UInt32 = 0
        for f in s.flags ?? [] {
            switch f {
            case "SECCOMP_FILTER_FLAG_TSYNC": flags |= 1
            case "SECCOMP_FILTER_FLAG_LOG": flags |= 2
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": flags |= 4
            default: break
            }
        }
        let notify = s.defaultAction == "SCMP_ACT_NOTIFY" || (s.syscalls ?? []).contains { $0.action == "SCMP_ACT_NOTIFY" }
        if notify { flags |= 8 }  // SECCOMP_FILTER_FLAG_NEW_LISTENER
        var keyed = s
        keyed.listenerPath = nil
        keyed.listenerMetadata = nil
        let v = seccomp_version().pointee
        let version = "libseccomp " + NumberText.string(v.major) + "." + NumberText.string(v.minor) + "." + NumberText.string(v.micro)
        let key = FNV.hex(try JSON.encode(keyed) + Array(version.utf8))
        let path = cacheDir + "/" + key + ".bpf"
        if let cached = try? Files.read(path), !cached.isEmpty, cached.count % 8 == 0 {
            Trace.step("seccomp: compiled filter from the cache (\(cached.count / 8) instructions)")
            return Compiled(program: cached, flags: flags, notify: notify, path: path)
        }
        let ctx = try build(s)
        defer { seccomp_release(ctx) }
        try Files.mkdirAll(cacheDir, mode: 0o700)
        let tmp = path + ".tmp." + NumberText.string(getpid())
        let fd = try FD.open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        let r = seccomp_export_bpf(ctx, fd.raw)
        if r < 0 { unlink(tmp); throw LockerError("seccomp: compile filter: \(Errno.name(-r))") }
        rename(tmp, path)
        let program = try Files.read(path)
        Trace.step("seccomp: compiled filter with libseccomp (\(program.count / 8) instructions), cached")
        return Compiled(program: program, flags: flags, notify: notify, path: path)
    }

    static func build(_ s: Spec.Seccomp) throws -> scmp_filter_ctx {
        let def = try action(s.defaultAction, errnoRet: s.defaultErrnoRet, field: "linux.seccomp.defaultAction")
        guard let ctx = seccomp_init(def) else { throw LockerError("seccomp_init failed") }
        do {
            try addRules(s, ctx: ctx, def: def)
        } catch {
            seccomp_release(ctx)
            throw error
        }
        return ctx
    }

    static func addRules(_ s: Spec.Seccomp, ctx: scmp_filter_ctx, def: UInt32) throws {
        let native = seccomp_arch_native()
        for a in s.architectures ?? [] {
            guard let arch = arch(a) else { continue }
            if arch == native { continue }
            let r = seccomp_arch_add(ctx, arch)
            if r < 0 && r != -EEXIST { throw LockerError("seccomp: add architecture \(a): \(Errno.name(-r))") }
        }
        for (i, rule) in (s.syscalls ?? []).enumerated() {
            let act = try action(rule.action, errnoRet: rule.errnoRet, field: "linux.seccomp.syscalls[\(i)].action")
            if act == def { continue }
            var conds: [scmp_arg_cmp] = []
            for (j, a) in (rule.args ?? []).enumerated() {
                conds.append(scmp_arg_cmp(arg: a.index, op: try op(a.op, field: "linux.seccomp.syscalls[\(i)].args[\(j)].op"),
                                          datum_a: a.value, datum_b: a.valueTwo ?? 0))
            }
            // libseccomp cannot AND two conditions on one argument: such rules become one rule
            // per condition, as runc makes them.
            let indexes = conds.map { $0.arg }
            let groups: [[scmp_arg_cmp]] = Set(indexes).count == indexes.count ? [conds] : conds.map { [$0] }
            for name in rule.names {
                let nr = seccomp_syscall_resolve_name(name)
                if nr == locker_scmp_error() { continue }
                for g in groups {
                    var g = g
                    let r = g.isEmpty ? seccomp_rule_add_array(ctx, act, nr, 0, nil)
                                      : seccomp_rule_add_array(ctx, act, nr, UInt32(g.count), &g)
                    if r < 0 { throw LockerError("seccomp: rule for \(name) (linux.seccomp.syscalls[\(i)]): \(Errno.name(-r))") }
                }
            }
        }
    }

    /// Loads a compiled filter into this process with seccomp(2). Returns the notify
    /// descriptor when the filter has SCMP_ACT_NOTIFY rules.
    static func install(_ c: Compiled) throws -> Int32? {
        Trace.step("seccomp: load filter (\(c.program.count / 8) instructions)")
        let r = c.program.withUnsafeBytes { locker_seccomp_set_filter(c.flags, $0.baseAddress, UInt16(c.program.count / 8)) }
        if r < 0 { throw SystemError("seccomp: load filter") }
        return c.notify ? r : nil
    }
}

/// FNV-1a, 64 bits: a cache key, not a security boundary.
enum FNV {
    static func hex(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return NumberText.hex(h, width: 16)
    }
}
