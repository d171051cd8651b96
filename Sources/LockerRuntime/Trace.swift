import Glibc
import LockerSystem

/// "Shows its work": with --trace every isolation step is printed as it happens, on stderr
/// or into a file, with the pid that did it, so a reader can follow a container being built.
public enum Trace {
    nonisolated(unsafe) public static var fd: Int32 = -1
    nonisolated(unsafe) static var start = timespec()

    public static var enabled: Bool { fd >= 0 }

    public static func enable(file: String?) throws {
        clock_gettime(CLOCK_MONOTONIC, &start)
        if let file {
            fd = try sys("open trace file", file) { open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
        } else {
            fd = try sys("dup stderr") { fcntl(2, F_DUPFD_CLOEXEC, 100) }
        }
    }

    @inline(__always)
    public static func step(_ message: @autoclosure () -> String) {
        guard fd >= 0 else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let ms = Double(now.tv_sec - start.tv_sec) * 1000 + Double(now.tv_nsec - start.tv_nsec) / 1e6
        let line = "[locker \(String(format3(ms))) ms pid \(getpid())] \(message())\n"
        try? FD.writeAll(fd, line)
    }

    static func format3(_ v: Double) -> String {
        let whole = Int(v)
        let frac = Int((v - Double(whole)) * 1000)
        let f = String(frac)
        return "\(whole).\(String(repeating: "0", count: max(0, 3 - f.count)))\(f)"
    }
}
