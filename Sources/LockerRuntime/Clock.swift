import Glibc
import LockerSystem

enum Clock {
    /// RFC 3339 with nanoseconds, UTC, as runc writes `created`.
    static func rfc3339Now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        var buf = [CChar](repeating: 0, count: 64)
        strftime(&buf, 64, "%Y-%m-%dT%H:%M:%S", &tm)
        return String(cString: buf) + "." + NumberText.string(UInt64(ts.tv_nsec), width: 9) + "Z"
    }
}
