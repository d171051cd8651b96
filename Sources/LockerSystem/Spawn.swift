import CLockerShim
import Glibc

/// The one routine that starts a process that is not the container itself (hooks, helpers):
/// posix_spawn with an explicit environment, optional data on stdin, and a time limit.
public enum Spawn {
    public static func run(_ path: String, args: [String], env: [String], stdin input: [UInt8] = [],
                           timeoutSeconds: Int? = nil) throws -> Proc.Exit {
        let pid = try launch(path, args: args, env: env, stdin: input, stdoutPath: nil, stderrPath: nil)
        guard let limit = timeoutSeconds, limit > 0 else { return try Proc.wait(pid) }
        let pidfd = locker_pidfd_open(pid)
        defer { if pidfd >= 0 { Glibc.close(pidfd) } }
        var pfd = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        let ready = pidfd >= 0 ? poll(&pfd, 1, Int32(limit * 1000)) : 1
        if ready == 0 {
            kill(pid, SIGKILL)
            _ = try? Proc.wait(pid)
            throw LockerError("\(path) did not finish within \(limit)s and was killed")
        }
        return try Proc.wait(pid)
    }

    /// Starts a helper without waiting: `input` on its stdin, its stdout into `stdoutPath`
    /// (created or truncated), stderr into `stderrPath` or inherited. For work that runs side
    /// by side (layer downloads); the caller waits with `Proc.wait`.
    public static func start(_ path: String, args: [String], env: [String], stdin input: [UInt8],
                             stdoutPath: String, stderrPath: String? = nil) throws -> Int32 {
        try launch(path, args: args, env: env, stdin: input, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// posix_spawn with `input` written to the child's stdin (then closed), stdout and stderr
    /// optionally sent to files, and the signal mask cleared.
    static func launch(_ path: String, args: [String], env: [String], stdin input: [UInt8],
                       stdoutPath: String?, stderrPath: String?) throws -> Int32 {
        let (r, w) = try FD.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, r, 0)
        if let o = stdoutPath { posix_spawn_file_actions_addopen(&actions, 1, o, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
        if let e = stderrPath { posix_spawn_file_actions_addopen(&actions, 2, e, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var mask = Signals.emptySet()
        posix_spawnattr_setsigmask(&attr, &mask)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK))

        let argv = (args.isEmpty ? [path] : args).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        Glibc.close(r)
        if rc != 0 {
            Glibc.close(w)
            throw SystemError("spawn", path, errno: rc)
        }
        // The child may exit without reading; ignore EPIPE.
        let old = signal(SIGPIPE, SIG_IGN)
        try? FD.writeAll(w, input)
        signal(SIGPIPE, old)
        Glibc.close(w)
        return pid
    }
}
