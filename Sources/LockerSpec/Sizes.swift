/// Human sizes as docker takes them: `512`, `64k`, `256m`, `1.5g` (binary units; b/kb/mb also accepted).
public enum Sizes {
    public static func parse(_ text: String) -> Int64? {
        var s = text.lowercased().trimmingSpaces()
        if s.hasSuffix("b") && s.count > 1 && !(s.dropLast().last.map { $0.isNumber } ?? true) { s.removeLast() }
        var mult: Double = 1
        if let last = s.last, let m = ["k": 1024.0, "m": 1048576.0, "g": 1073741824.0, "t": 1099511627776.0][String(last)] {
            mult = m
            s.removeLast()
        } else if s.hasSuffix("b") { s.removeLast() }
        guard let v = Double(s), v >= 0, v.isFinite else { return nil }
        let r = v * mult
        guard r < 9.2e18 else { return nil }
        return Int64(r)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
