/// Lines and fields of kernel text files (/proc/self/mountinfo, /proc/PID/stat, cgroup
/// files), split byte by byte, and the String helpers that go with them. `String.split`,
/// `hasPrefix` and `firstIndex(of:)` work on Characters: their grapheme-boundary
/// and Substring indexing code sits in stretches of the executable that each hot command
/// would fault in for this alone (see scripts/build.sh).
public enum ByteFields {
    /// The pieces of `bytes` between `separator`s; empty pieces are dropped unless `keepEmpty`.
    public static func split(_ bytes: ArraySlice<UInt8>, on separator: UInt8, keepEmpty: Bool = false) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i <= bytes.endIndex {
            if i == bytes.endIndex || bytes[i] == separator {
                if i > start || keepEmpty { out.append(bytes[start..<i]) }
                start = i + 1
            }
            i += 1
        }
        return out
    }
    public static func split(_ bytes: [UInt8], on separator: UInt8, keepEmpty: Bool = false) -> [ArraySlice<UInt8>] {
        split(bytes[...], on: separator, keepEmpty: keepEmpty)
    }
    /// `parts` with `separator` between them.
    public static func join(_ parts: [String], _ separator: UInt8) -> String {
        var out: [UInt8] = []
        for (i, p) in parts.enumerated() {
            if i > 0 { out.append(separator) }
            out.append(contentsOf: p.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }
    /// `bytes` without spaces, tabs and newlines at either end.
    public static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = bytes
        while let f = s.first, isSpace(f) { s.removeFirst() }
        while let l = s.last, isSpace(l) { s.removeLast() }
        return s
    }
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0a || b == 0x09 }
}

extension ArraySlice where Element == UInt8 {
    /// The bytes as a String (invalid UTF-8 repaired).
    public var text: String { String(decoding: self, as: UTF8.self) }
}

extension String {
    /// Whether the string starts with `prefix`, compared as bytes (no Unicode normalization,
    /// which paths and kernel names do not need).
    public func hasBytePrefix(_ prefix: String) -> Bool { utf8.starts(with: prefix.utf8) }
    /// The string without spaces, tabs and newlines at either end.
    public func trimmedBytes() -> String { ByteFields.trimmed(Array(utf8)[...]).text }
    /// The text before and after the first `separator`, or nil when it does not occur.
    public func cut(_ separator: UInt8) -> (before: String, after: String)? {
        let bytes = Array(utf8)
        guard let i = bytes.firstIndex(of: separator) else { return nil }
        return (bytes[..<i].text, bytes[(i + 1)...].text)
    }
}
