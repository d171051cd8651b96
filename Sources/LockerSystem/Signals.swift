import CLockerShim
import Glibc

public enum Signals {
    public static let table: [(String, Int32)] = [
        ("HUP", SIGHUP), ("INT", SIGINT), ("QUIT", SIGQUIT), ("ILL", SIGILL), ("TRAP", SIGTRAP),
        ("ABRT", SIGABRT), ("IOT", SIGABRT), ("BUS", SIGBUS), ("FPE", SIGFPE), ("KILL", SIGKILL),
        ("USR1", SIGUSR1), ("SEGV", SIGSEGV), ("USR2", SIGUSR2), ("PIPE", SIGPIPE), ("ALRM", SIGALRM),
        ("TERM", SIGTERM), ("STKFLT", SIGSTKFLT), ("CHLD", SIGCHLD), ("CONT", SIGCONT), ("STOP", SIGSTOP),
        ("TSTP", SIGTSTP), ("TTIN", SIGTTIN), ("TTOU", SIGTTOU), ("URG", SIGURG), ("XCPU", SIGXCPU),
        ("XFSZ", SIGXFSZ), ("VTALRM", SIGVTALRM), ("PROF", SIGPROF), ("WINCH", SIGWINCH), ("IO", SIGIO),
        ("POLL", SIGIO), ("PWR", SIGPWR), ("SYS", SIGSYS),
    ]
    /// "TERM", "SIGTERM", "sigterm" and "15" all name SIGTERM; "RTMIN+3" names a realtime signal.
    public static func parse(_ s: String) -> Int32? {
        if let n = Int32(s) { return (n > 0 && n < 65) ? n : nil }
        var u = s.uppercased()
        if u.hasPrefix("SIG") { u = String(u.dropFirst(3)) }
        if let hit = table.first(where: { $0.0 == u }) { return hit.1 }
        let rtmin = Int32(34), rtmax = Int32(64)
        if u == "RTMIN" { return rtmin }
        if u == "RTMAX" { return rtmax }
        if u.hasPrefix("RTMIN+"), let k = Int32(u.dropFirst(6)), rtmin + k <= rtmax { return rtmin + k }
        if u.hasPrefix("RTMAX-"), let k = Int32(u.dropFirst(6)), rtmax - k >= rtmin { return rtmax - k }
        return nil
    }
    public static func name(_ sig: Int32) -> String {
        table.first(where: { $0.1 == sig }).map { "SIG" + $0.0 } ?? "signal \(sig)"
    }
    public static func emptySet() -> sigset_t {
        var s = sigset_t()
        sigemptyset(&s)
        return s
    }
    public static func set(_ sigs: [Int32]) -> sigset_t {
        var s = emptySet()
        for g in sigs { sigaddset(&s, g) }
        return s
    }
    public static func block(_ sigs: [Int32]) -> sigset_t {
        var s = set(sigs)
        var old = sigset_t()
        sigprocmask(SIG_BLOCK, &s, &old)
        return old
    }
    public static func setMask(_ mask: sigset_t) {
        var m = mask
        sigprocmask(SIG_SETMASK, &m, nil)
    }
    /// Puts every signal back to its default disposition and unblocks all: what a freshly
    /// exec'd container process must start with.
    public static func resetAll() {
        for s in 1..<65 where s != SIGKILL && s != SIGSTOP { signal(Int32(s), SIG_DFL) }
        setMask(emptySet())
    }
    public static func signalFD(_ sigs: [Int32]) throws -> OwnedFD {
        var s = set(sigs)
        return OwnedFD(try sys("signalfd") { locker_signalfd(&s) })
    }
}
