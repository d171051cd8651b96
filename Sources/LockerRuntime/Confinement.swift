import CLockerShim
import Glibc
import LockerSpec
import LockerSystem

/// The last steps before a container's process may exec, shared by a container's first
/// process and by exec: oom score, rlimits, the terminal, seccomp, user and capabilities,
/// cwd, umask, no_new_privs, labels, the program lookup, descriptors, and the report to
/// the parent. Returns what to exec.
enum Confinement {
    static func apply(_ p: Spec.Process, seccomp: Seccomp.Compiled?, consoleSlave: Int32, userNamespace: Bool,
                      preserveFDs: Int32, sync: SyncChannel) throws -> (program: String, args: [String], env: [String]) {
        // The parent may exit as soon as it reads `ready` (create, exec -d): the death signal
        // that guarded the setup must be gone before then. Cleared first, as a seccomp
        // profile may forbid prctl later on.
        try Prctl.setParentDeathSignal(0)
        if let adj = p.oomScoreAdj {
            try Files.writeExisting("/proc/self/oom_score_adj", NumberText.string(adj))
        }
        try Credentials.applyRlimits(p.rlimits ?? [])
        if consoleSlave >= 0 {
            _ = setsid()
            for fd: Int32 in 0...2 { try sys("dup console") { locker_dup3(consoleSlave, fd, 0) } }
            try Terminal.makeControlling(0)
            close(consoleSlave)
        }
        // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while we have it.
        // With it, load as close to exec as possible.
        var notifyFD: Int32? = nil
        if let sc = seccomp, p.noNewPrivileges != true {
            notifyFD = try Seccomp.install(sc)
        }
        let setgroupsAllowed = !userNamespace || ((try? Files.readString("/proc/self/setgroups"))?.hasPrefix("allow") ?? true)
        try Credentials.apply(user: p.user, capabilities: p.capabilities, setgroupsAllowed: setgroupsAllowed)
        if chdir(p.cwd) != 0 { throw SystemError("chdir to process.cwd", p.cwd) }
        if let u = p.user.umask { umask(mode_t(u)) }
        if p.noNewPrivileges == true {
            Trace.step("no_new_privs")
            try Prctl.setNoNewPrivs()
        }
        try Labels.applyOnExec(p)
        let env = p.env ?? []
        let args = p.args ?? []
        let program = try Credentials.lookPath(args[0], env: env)

        // No descriptor of the runtime reaches the container: everything above stdio and the
        // preserved ones closes on exec.
        _ = locker_close_range(UInt32(3 + preserveFDs), UInt32.max, LOCKER_CLOSE_RANGE_CLOEXEC)
        for fd in 3..<(3 + preserveFDs) { _ = locker_ioctl_int(fd, LOCKER_FIONCLEX, 0) }

        if let sc = seccomp, p.noNewPrivileges == true {
            notifyFD = try Seccomp.install(sc)
        }
        if let fd = notifyFD {
            try sync.send(.seccompFD(fd))
            close(fd)
        }
        try sync.send(.ready)
        close(sync.fd)
        return (program, args, env)
    }
}
