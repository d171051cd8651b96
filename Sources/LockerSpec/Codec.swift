/// JSON in and out (JSONValue.swift, JSONCoding.swift), with decoding errors that name the
/// field: `process.user.uid: expected a number`. Keys are written sorted, '/' unescaped.
public enum JSON {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String) throws -> T {
        do {
            return try T(from: TreeDecoder(value: JSONValue.parse(bytes), codingPath: []))
        } catch let error as DecodingError {
            throw SpecError("\(file): \(describe(error))")
        } catch let error as JSONSyntaxError {
            throw SpecError("\(file): \(error)")
        }
    }
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> [UInt8] {
        try TreeEncoder.encode(value, path: []).resolved().serialized(pretty: pretty)
    }
    /// An integer as JSON, digit by digit: `String(v)` goes through the standard library's
    /// generic integer printing, which `create` would fault in for this alone (LockerSpec
    /// stands on its own, so it does not borrow LockerSystem's NumberText).
    static func integer<T: FixedWidthInteger>(_ v: T) -> String {
        var digits: [UInt8] = []
        var m = v.magnitude
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: m % 10))
            m /= 10
        } while m > 0
        if v < 0 { digits.append(UInt8(ascii: "-")) }
        digits.reverse()
        return String(decoding: digits, as: UTF8.self)
    }
    /// A Double as JSON: whole numbers without a fraction, as Foundation writes them.
    static func number(_ v: Double) -> String {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
    public static func encodeString<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
        String(decoding: try encode(value, pretty: pretty), as: UTF8.self)
    }

    static func path(_ keys: [CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s.isEmpty ? "(top level)" : s
    }
    static func describe(_ e: DecodingError) -> String {
        switch e {
        case .typeMismatch(let t, let c):
            return "\(path(c.codingPath)): expected \(typeName(t))"
        case .valueNotFound(let t, let c):
            return "\(path(c.codingPath)): expected \(typeName(t)), found null"
        case .keyNotFound(let k, let c):
            return "\(path(c.codingPath + [k])): required field is missing"
        case .dataCorrupted(let c):
            let detail = c.underlyingError.map { " (\($0))" } ?? ""
            return "\(path(c.codingPath)): \(c.debugDescription)\(detail)"
        @unknown default:
            return "\(e)"
        }
    }
    static func typeName(_ t: Any.Type) -> String {
        let n = String(describing: t)
        if n.hasPrefix("Int") || n.hasPrefix("UInt") { return "a number (\(n))" }
        if n == "String" { return "a string" }
        if n == "Bool" { return "true or false" }
        if n.hasPrefix("Array") { return "a list" }
        if n.hasPrefix("Dictionary") { return "an object" }
        return n
    }
}

public struct SpecError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
