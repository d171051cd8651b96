import CLockerShim
import Glibc

/// Pseudo-terminals and the caller's terminal modes.
public enum Terminal {
    /// Opens a new pty pair from the devpts behind `ptmx` (the container's own, after it is mounted).
    public static func openPair(ptmx: String = "/dev/ptmx") throws -> (master: Int32, slave: Int32) {
        let master = try sys("open", ptmx) { Glibc.open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC) }
        var unlock: Int32 = 0
        try sys("unlock pty") { locker_ioctl_ptr(master, LOCKER_TIOCSPTLCK, &unlock) }
        let slave = try sys("open pty peer") { locker_ioctl_int(master, LOCKER_TIOCGPTPEER, O_RDWR | O_NOCTTY) }
        return (master, slave)
    }
    public static func makeControlling(_ fd: Int32) throws {
        try sys("make controlling terminal") { locker_ioctl_int(fd, LOCKER_TIOCSCTTY, 0) }
    }
    public static func windowSize(_ fd: Int32) -> winsize? {
        var ws = winsize()
        return locker_ioctl_ptr(fd, LOCKER_TIOCGWINSZ, &ws) == 0 ? ws : nil
    }
    public static func setWindowSize(_ fd: Int32, _ ws: winsize) {
        var w = ws
        _ = locker_ioctl_ptr(fd, LOCKER_TIOCSWINSZ, &w)
    }
    public static func setWindowSize(_ fd: Int32, rows: UInt16, cols: UInt16) {
        setWindowSize(fd, winsize(ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0))
    }
    /// Puts the caller's terminal in raw mode; returns the settings to restore.
    public static func makeRaw(_ fd: Int32) -> termios? {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { return nil }
        let saved = t
        cfmakeraw(&t)
        // Keep output processing so the host terminal still translates newlines it prints itself.
        t.c_oflag |= tcflag_t(OPOST)
        tcsetattr(fd, TCSANOW, &t)
        return saved
    }
    public static func restore(_ fd: Int32, _ t: termios) {
        var t = t
        tcsetattr(fd, TCSANOW, &t)
    }
}
