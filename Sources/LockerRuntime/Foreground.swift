import CLockerShim
import Glibc
import LockerSystem

/// Waits for a container's process in the foreground: signals sent to Locker go to the
/// container, a terminal is relayed both ways with its window size kept in sync, and the
/// result is the process's exit (128+N for signal N). Single-threaded: one poll loop.
public enum Foreground {
    public static let forwarded: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM]

    /// Call before create, so no signal slips in between the clone and the wait loop.
    public static func blockSignals() -> sigset_t { Signals.block(forwarded + [SIGCHLD]) }

    public static func wait(pid: Int32, master: Int32?, stdinOpen: Bool) throws -> Proc.Exit {
        let sfd = try Signals.signalFD(forwarded + [SIGCHLD])
        var saved: termios? = nil
        if let m = master {
            if isatty(0) == 1 {
                saved = Terminal.makeRaw(0)
                if let ws = Terminal.windowSize(0) { Terminal.setWindowSize(m, ws) }
            }
        }
        defer { if let t = saved { Terminal.restore(0, t) } }
        var stdinLive = master != nil && stdinOpen
        var masterLive = master != nil
        var exit: Proc.Exit? = nil
        var buf = [UInt8](repeating: 0, count: 32768)
        while true {
            if exit == nil, let e = Proc.poll(pid) { exit = e }
            // After the process ends, drain what it wrote to the terminal, then stop.
            if let e = exit, !masterLive { return e }
            var fds = [pollfd(fd: sfd.raw, events: Int16(POLLIN), revents: 0)]
            if masterLive, let m = master { fds.append(pollfd(fd: m, events: Int16(POLLIN), revents: 0)) }
            if stdinLive && exit == nil { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            let timeout: Int32 = exit != nil ? 50 : -1
            let r = poll(&fds, nfds_t(fds.count), timeout)
            if r < 0 { if errno == EINTR { continue }; throw SystemError("poll") }
            if r == 0, let e = exit { return e }
            for p in fds where p.revents != 0 {
                if p.fd == sfd.raw {
                    let sig = locker_signalfd_read(sfd.raw)
                    if sig == SIGCHLD { continue }
                    if sig == SIGWINCH, let m = master {
                        if let ws = Terminal.windowSize(0) { Terminal.setWindowSize(m, ws) }
                        continue
                    }
                    Trace.step("forward \(Signals.name(sig)) to pid \(pid)")
                    Glibc.kill(pid, sig)
                } else if let m = master, p.fd == m {
                    let n = read(m, &buf, buf.count)
                    if n <= 0 { masterLive = false; continue }
                    try? FD.writeAll(1, Array(buf[0..<n]))
                } else if p.fd == 0 {
                    let n = read(0, &buf, buf.count)
                    if n <= 0 {
                        stdinLive = false
                        // End of input: send the terminal's EOF character, as a person typing ^D would.
                        if let m = master { _ = write(m, [4], 1) }
                        continue
                    }
                    if let m = master { try? FD.writeAll(m, Array(buf[0..<n])) }
                }
            }
        }
    }
}
