import CLockerShim
import Glibc
import LockerSystem

/// `--init`: a minimal PID 1 of Locker's own. It is the setup process itself, already
/// confined, so no extra binary enters the container. It forks the user's process, passes
/// on every signal it gets, reaps every orphan, and exits with the user's process's status.
enum MiniInit {
    static func run(program: String, args: [String], env: [String], closeAfterFork: Int32) -> Never {
        let forwarded: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU]
        _ = Signals.block(forwarded + [SIGCHLD])
        let child = fork()
        if child < 0 { ContainerInit.fail("fork for --init: \(Errno.name(errno))") }
        if child == 0 {
            Signals.resetAll()
            // A session of its own, so a terminal's signals reach it as they would without an init.
            if isatty(0) == 1 {
                _ = setsid()
                _ = locker_ioctl_int(0, LOCKER_TIOCSCTTY, 1)
            }
            ContainerInit.exec(program, args, env)
        }
        close(closeAfterFork)
        _ = locker_prctl(LOCKER_PR_SET_NAME, UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(("init" as StaticString).utf8Start))), 0, 0, 0)
        var set = Signals.set(forwarded + [SIGCHLD])
        while true {
            var info = siginfo_t()
            let sig = sigwaitinfo(&set, &info)
            if sig < 0 { continue }
            if sig == SIGCHLD {
                while true {
                    var status: Int32 = 0
                    let pid = waitpid(-1, &status, WNOHANG)
                    if pid <= 0 { break }
                    if pid == child {
                        let exit = Proc.decode(status)
                        // Everything else in the namespace dies with PID 1.
                        _exit(exit.code)
                    }
                }
            } else {
                kill(child, sig)
            }
        }
    }
}
