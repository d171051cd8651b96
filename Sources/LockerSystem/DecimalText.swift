/// Integers as decimal text, and decimal text as integers, byte by byte. String
/// interpolation of an integer goes through the standard library's generic
/// `_description(radix:uppercase:)`, and parsing a Substring through its Character
/// indexing: each sits alone in a 64 KiB stretch of the executable that the hot commands
/// would otherwise fault in (see scripts/build.sh). Paths such as /proc/PID/stat use these.
public enum DecimalText {
    public static func string(_ value: Int64) -> String {
        if value < 0 {
            return format(UInt64(bitPattern: 0 &- value), negative: true)
        }
        return format(UInt64(value), negative: false)
    }
    public static func string(_ value: Int32) -> String { string(Int64(value)) }
    public static func string(_ value: Int) -> String { string(Int64(value)) }
    public static func string(_ value: UInt32) -> String { format(UInt64(value), negative: false) }
    public static func string(_ value: UInt64) -> String { format(value, negative: false) }

    static func format(_ magnitude: UInt64, negative: Bool) -> String {
        var digits: [UInt8] = []
        digits.reserveCapacity(21)
        var m = magnitude
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        } while m > 0
        if negative { digits.append(UInt8(ascii: "-")) }
        var i = 0, j = digits.count - 1
        while i < j { digits.swapAt(i, j); i += 1; j -= 1 }
        return String(decoding: digits, as: UTF8.self)
    }

    /// An unsigned decimal number filling all of `bytes`; nil for anything else or overflow.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var n: UInt64 = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(b - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            n = sum
        }
        return n
    }
}
