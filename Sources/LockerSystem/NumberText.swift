/// Integers as decimal or hex text, and decimal text as integers, byte by byte. String
/// interpolation of an integer goes through the standard library's generic
/// `_description(radix:uppercase:)`, and parsing a Substring through its Character
/// indexing: each sits alone in a 64 KiB stretch of the executable that the hot commands
/// would otherwise fault in (see scripts/build.sh). Paths such as /proc/PID/stat use these.
public enum NumberText {
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

    /// Decimal with leading zeros up to `width` digits (a timestamp's nanoseconds).
    public static func string(_ value: UInt64, width: Int) -> String { format(value, negative: false, width: width) }
    /// Lower-case hex, without a prefix, with leading zeros up to `width` digits.
    public static func hex(_ value: UInt64, width: Int = 1) -> String { format(value, negative: false, width: width, radix: 16) }

    static func format(_ magnitude: UInt64, negative: Bool, width: Int = 1, radix: UInt64 = 10) -> String {
        var digits: [UInt8] = []
        digits.reserveCapacity(21)
        var m = magnitude
        repeat {
            let d = UInt8(m % radix)
            digits.append(d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10)
            m /= radix
        } while m > 0 || digits.count < width
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
