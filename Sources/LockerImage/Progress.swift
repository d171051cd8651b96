import Glibc
import LockerSystem

/// What a pull tells the person waiting: on a terminal, one bar per layer redrawn in
/// place; otherwise plain lines (what CI logs want); nothing with --quiet.
final class Progress {
    let quiet: Bool
    let terminal: Bool
    var drawn = 0

    init(quiet: Bool) {
        self.quiet = quiet
        terminal = isatty(2) == 1 && getenv("TERM").map { String(cString: $0) != "dumb" } ?? false
    }

    func line(_ s: String) {
        guard !quiet else { return }
        clearBars()
        try? FD.writeAll(2, s + "\n")
    }

    /// (name, bytes so far, bytes in all) per running download.
    func bars(_ items: [(String, Int64, Int64)]) {
        guard !quiet, terminal else { return }
        clearBars()
        var out = ""
        for (name, have, total) in items {
            let frac = total > 0 ? min(1, Double(have) / Double(total)) : 0
            let width = 30
            let filled = Int(frac * Double(width))
            out += "\(name) [" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            out += "\(ByteCount.text(have)) / \(ByteCount.text(total))\n"
        }
        try? FD.writeAll(2, out)
        drawn = items.count
    }

    func clearBars() {
        guard drawn > 0 else { return }
        // Up one line and erase it, for each bar drawn.
        try? FD.writeAll(2, String(repeating: "\u{1b}[1A\u{1b}[2K", count: drawn))
        drawn = 0
    }

    func finishBars() { if terminal { clearBars() } }
}

/// Byte counts as people read them, in powers of 1000 as docker prints them: `2.4 MB`.
public enum ByteCount {
    public static func text(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(n)
        var u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        if u == 0 { return "\(n) B" }
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[u])"
    }
}
