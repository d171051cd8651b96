import CLockerShim
import Glibc

/// What /proc and wait(2) tell about a process.
public enum Proc {
    /// Field 22 of /proc/PID/stat: start time in clock ticks since boot. Together with the pid
    /// it names one process, so a reused pid is never mistaken for the container.
    public static func startTime(_ pid: Int32) -> UInt64? {
        // Field 3 (the state) is the first after the command's closing parenthesis.
        guard let fields = statFields(pid), fields.count > 19 else { return nil }
        return NumberText.parse(fields[19])
    }
    /// The state letter of /proc/PID/stat (R, S, D, Z, X, ...) as an ASCII byte.
    public static func state(_ pid: Int32) -> UInt8? {
        statFields(pid)?.first?.first
    }
    /// The space-separated fields of /proc/PID/stat after the command, which is in
    /// parentheses and may hold spaces and parentheses itself: everything after the last ')'.
    static func statFields(_ pid: Int32) -> [ArraySlice<UInt8>]? {
        guard let bytes = try? Files.read("/proc/" + NumberText.string(pid) + "/stat"),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        return ByteFields.split(ByteFields.trimmed(bytes[(close + 1)...]), on: UInt8(ascii: " "))
    }
    /// Alive and not a zombie.
    public static func isRunning(_ pid: Int32, startTime: UInt64?) -> Bool {
        guard pid > 0, let st = state(pid), st != UInt8(ascii: "Z"), st != UInt8(ascii: "X") else { return false }
        if let want = startTime, let have = Proc.startTime(pid), want != have { return false }
        return true
    }

    public enum Exit: Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// The shell convention: the code, or 128+N for a signal.
        public var code: Int32 {
            switch self {
            case .exited(let c): return c
            case .signaled(let s): return 128 + s
            }
        }
    }
    public static func decode(_ status: Int32) -> Exit {
        if locker_wait_status_signaled(status) != 0 { return .signaled(locker_wait_status_signal(status)) }
        return .exited(locker_wait_status_code(status))
    }
    public static func wait(_ pid: Int32) throws -> Exit {
        var status: Int32 = 0
        try sys("waitpid \(pid)") { waitpid(pid, &status, 0) }
        return decode(status)
    }
    /// Non-blocking: nil while it still runs.
    public static func poll(_ pid: Int32) -> Exit? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        return r == pid ? decode(status) : nil
    }
}

public enum Prctl {
    public static func set(_ option: Int32, _ a2: UInt = 0, _ a3: UInt = 0, what: String) throws {
        try sys(what) { locker_prctl(option, a2, a3, 0, 0) }
    }
    public static func setNoNewPrivs() throws { try set(LOCKER_PR_SET_NO_NEW_PRIVS, 1, what: "prctl no_new_privs") }
    public static func setDumpable(_ on: Bool) throws { try set(LOCKER_PR_SET_DUMPABLE, on ? 1 : 0, what: "prctl dumpable") }
    public static func setKeepCaps(_ on: Bool) throws { try set(LOCKER_PR_SET_KEEPCAPS, on ? 1 : 0, what: "prctl keepcaps") }
    public static func setParentDeathSignal(_ sig: Int32) throws { try set(LOCKER_PR_SET_PDEATHSIG, UInt(sig), what: "prctl pdeathsig") }
    public static func setChildSubreaper() throws { try set(LOCKER_PR_SET_CHILD_SUBREAPER, 1, what: "prctl child_subreaper") }
}
