import FoundationEssentials

/// JSON in and out, with decoding errors that name the field: `process.user.uid: expected a number`.
public enum JSON {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw SpecError("\(file): \(describe(error))")
        }
    }
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try enc.encode(value))
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
