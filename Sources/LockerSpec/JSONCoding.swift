/// Codable over `JSONValue`: the Decoder and Encoder behind `JSON.decode`/`JSON.encode`.
/// Errors are the standard `DecodingError`s with their coding paths, so messages name the
/// field (`process.user.uid: expected a number (UInt32)`).

// MARK: - Decoding

struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: Any].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedReader<Key>(members: members, codingPath: codingPath))
    }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([Any].self, value, codingPath) }
        return ListReader(items: items, codingPath: codingPath)
    }
    func singleValueContainer() throws -> SingleValueDecodingContainer { ValueReader(value: value, codingPath: codingPath) }
}

func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [CodingKey]) -> DecodingError {
    if case .null = value {
        return .valueNotFound(type, .init(codingPath: path, debugDescription: "found null"))
    }
    return .typeMismatch(type, .init(codingPath: path, debugDescription: "wrong type"))
}

/// The primitive conversions every container shares.
enum Primitive {
    static func bool(_ v: JSONValue, _ path: [CodingKey]) throws -> Bool {
        guard case .bool(let b) = v else { throw mismatch(Bool.self, v, path) }
        return b
    }
    static func string(_ v: JSONValue, _ path: [CodingKey]) throws -> String {
        guard case .string(let s) = v else { throw mismatch(String.self, v, path) }
        return s
    }
    static func integer<T: FixedWidthInteger>(_ t: T.Type, _ v: JSONValue, _ path: [CodingKey]) throws -> T {
        guard case .number(let s) = v else { throw mismatch(T.self, v, path) }
        if let n = T(s) { return n }
        if let d = Double(s), let n = T(exactly: d) { return n }
        throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "number \(s) does not fit in \(T.self)"))
    }
    static func double(_ v: JSONValue, _ path: [CodingKey]) throws -> Double {
        guard case .number(let s) = v, let d = Double(s) else { throw mismatch(Double.self, v, path) }
        return d
    }
    static func decode<T: Decodable>(_ type: T.Type, _ v: JSONValue, _ path: [CodingKey]) throws -> T {
        try T(from: TreeDecoder(value: v, codingPath: path))
    }
}

struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(String, JSONValue)]
    let codingPath: [CodingKey]

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.0) } }
    func lookup(_ key: Key) -> JSONValue? {
        let name = key.stringValue
        var i = members.count - 1
        while i >= 0 { if members[i].0 == name { return members[i].1 }; i -= 1 }
        return nil
    }
    func contains(_ key: Key) -> Bool { lookup(key) != nil }
    func value(_ key: Key, _ type: Any.Type) throws -> JSONValue {
        guard let v = lookup(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return v
    }
    func decodeNil(forKey key: Key) throws -> Bool { if case .null = try value(key, Never.self) { return true }; return false }
    func decode(_ t: Bool.Type, forKey k: Key) throws -> Bool { try Primitive.bool(value(k, t), codingPath + [k]) }
    func decode(_ t: String.Type, forKey k: Key) throws -> String { try Primitive.string(value(k, t), codingPath + [k]) }
    func decode(_ t: Double.Type, forKey k: Key) throws -> Double { try Primitive.double(value(k, t), codingPath + [k]) }
    func decode(_ t: Float.Type, forKey k: Key) throws -> Float { Float(try Primitive.double(value(k, t), codingPath + [k])) }
    func decode(_ t: Int.Type, forKey k: Key) throws -> Int { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: Int8.Type, forKey k: Key) throws -> Int8 { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: Int16.Type, forKey k: Key) throws -> Int16 { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: Int32.Type, forKey k: Key) throws -> Int32 { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: Int64.Type, forKey k: Key) throws -> Int64 { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: UInt.Type, forKey k: Key) throws -> UInt { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: UInt8.Type, forKey k: Key) throws -> UInt8 { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: UInt16.Type, forKey k: Key) throws -> UInt16 { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: UInt32.Type, forKey k: Key) throws -> UInt32 { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode(_ t: UInt64.Type, forKey k: Key) throws -> UInt64 { try Primitive.integer(t, value(k, t), codingPath + [k]) }
    func decode<T: Decodable>(_ t: T.Type, forKey k: Key) throws -> T { try Primitive.decode(t, value(k, t), codingPath + [k]) }

    func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> {
        try TreeDecoder(value: value(key, [String: Any].self), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try TreeDecoder(value: value(key, [Any].self), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder { TreeDecoder(value: lookup(Key(stringValue: "super")!) ?? .null, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> Decoder { TreeDecoder(value: lookup(key) ?? .null, codingPath: codingPath + [key]) }
}

struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ i: Int) { intValue = i }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { guard let i = Int(stringValue) else { return nil }; intValue = i }
}

struct ListReader: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [CodingKey]
    var currentIndex = 0
    init(items: [JSONValue], codingPath: [CodingKey]) { self.items = items; self.codingPath = codingPath }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next(_ type: Any.Type) throws -> (JSONValue, [CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "list ended"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [IndexKey(currentIndex)])
    }
    mutating func decodeNil() throws -> Bool {
        if !isAtEnd, case .null = items[currentIndex] { currentIndex += 1; return true }
        return false
    }
    mutating func decode(_ t: Bool.Type) throws -> Bool { let (v, p) = try next(t); return try Primitive.bool(v, p) }
    mutating func decode(_ t: String.Type) throws -> String { let (v, p) = try next(t); return try Primitive.string(v, p) }
    mutating func decode(_ t: Double.Type) throws -> Double { let (v, p) = try next(t); return try Primitive.double(v, p) }
    mutating func decode(_ t: Float.Type) throws -> Float { let (v, p) = try next(t); return Float(try Primitive.double(v, p)) }
    mutating func decode(_ t: Int.Type) throws -> Int { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: Int8.Type) throws -> Int8 { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: Int16.Type) throws -> Int16 { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: Int32.Type) throws -> Int32 { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: Int64.Type) throws -> Int64 { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: UInt.Type) throws -> UInt { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: UInt8.Type) throws -> UInt8 { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: UInt16.Type) throws -> UInt16 { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: UInt32.Type) throws -> UInt32 { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode(_ t: UInt64.Type) throws -> UInt64 { let (v, p) = try next(t); return try Primitive.integer(t, v, p) }
    mutating func decode<T: Decodable>(_ t: T.Type) throws -> T { let (v, p) = try next(t); return try Primitive.decode(t, v, p) }

    mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) throws -> KeyedDecodingContainer<N> {
        let (v, p) = try next([String: Any].self)
        return try TreeDecoder(value: v, codingPath: p).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (v, p) = try next([Any].self)
        return try TreeDecoder(value: v, codingPath: p).unkeyedContainer()
    }
    mutating func superDecoder() throws -> Decoder { let (v, p) = try next(Any.self); return TreeDecoder(value: v, codingPath: p) }
}

struct ValueReader: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [CodingKey]
    func decodeNil() -> Bool { if case .null = value { return true }; return false }
    func decode(_ t: Bool.Type) throws -> Bool { try Primitive.bool(value, codingPath) }
    func decode(_ t: String.Type) throws -> String { try Primitive.string(value, codingPath) }
    func decode(_ t: Double.Type) throws -> Double { try Primitive.double(value, codingPath) }
    func decode(_ t: Float.Type) throws -> Float { Float(try Primitive.double(value, codingPath)) }
    func decode(_ t: Int.Type) throws -> Int { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: Int8.Type) throws -> Int8 { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: Int16.Type) throws -> Int16 { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: Int32.Type) throws -> Int32 { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: Int64.Type) throws -> Int64 { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: UInt.Type) throws -> UInt { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: UInt8.Type) throws -> UInt8 { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: UInt16.Type) throws -> UInt16 { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: UInt32.Type) throws -> UInt32 { try Primitive.integer(t, value, codingPath) }
    func decode(_ t: UInt64.Type) throws -> UInt64 { try Primitive.integer(t, value, codingPath) }
    func decode<T: Decodable>(_ t: T.Type) throws -> T { try Primitive.decode(t, value, codingPath) }
}

// MARK: - Encoding

/// Where an encoded value is being built. Containers hold slots by reference, because
/// Codable hands out containers that outlive the call that made them.
final class Slot {
    var scalar: JSONValue?
    var members: [(String, Slot)]?
    var items: [Slot]?

    func resolved() -> JSONValue {
        if let members {
            // A key written twice keeps its last value. Sorted by insertion: objects here are
            // small, and the standard library's Dictionary and sort would each fault in
            // pages of the executable that `state` and `create` need for nothing else.
            var out: [(String, JSONValue)] = []
            for (k, s) in members {
                let v = s.resolved()
                var at = out.count
                while at > 0 && k.utf8.lexicographicallyPrecedes(out[at - 1].0.utf8) { at -= 1 }
                if at > 0 && out[at - 1].0 == k { out[at - 1].1 = v } else { out.insert((k, v), at: at) }
            }
            return .object(out)
        }
        if let items { return .array(items.map { $0.resolved() }) }
        return scalar ?? .object([])
    }
    func keyed() { if members == nil { members = [] } }
    func listed() { if items == nil { items = [] } }
}

struct TreeEncoder: Encoder {
    let slot: Slot
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.keyed()
        return KeyedEncodingContainer(KeyedWriter<Key>(slot: slot, codingPath: codingPath))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer { slot.listed(); return ListWriter(slot: slot, codingPath: codingPath) }
    func singleValueContainer() -> SingleValueEncodingContainer { ValueWriter(slot: slot, codingPath: codingPath) }

    static func encode<T: Encodable>(_ value: T, path: [CodingKey]) throws -> Slot {
        let s = Slot()
        try value.encode(to: TreeEncoder(slot: s, codingPath: path))
        return s
    }
}

func scalarSlot(_ v: JSONValue) -> Slot { let s = Slot(); s.scalar = v; return s }

struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [CodingKey]
    func put(_ k: Key, _ s: Slot) { slot.members!.append((k.stringValue, s)) }
    mutating func encodeNil(forKey k: Key) throws { put(k, scalarSlot(.null)) }
    mutating func encode(_ v: Bool, forKey k: Key) throws { put(k, scalarSlot(.bool(v))) }
    mutating func encode(_ v: String, forKey k: Key) throws { put(k, scalarSlot(.string(v))) }
    mutating func encode(_ v: Double, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.number(v)))) }
    mutating func encode(_ v: Float, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.number(Double(v))))) }
    mutating func encode(_ v: Int, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: Int8, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: Int16, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: Int32, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: Int64, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt8, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt16, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt32, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt64, forKey k: Key) throws { put(k, scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode<T: Encodable>(_ v: T, forKey k: Key) throws { put(k, try TreeEncoder.encode(v, path: codingPath + [k])) }

    mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey k: Key) -> KeyedEncodingContainer<N> {
        let s = Slot(); put(k, s)
        return TreeEncoder(slot: s, codingPath: codingPath + [k]).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer(forKey k: Key) -> UnkeyedEncodingContainer {
        let s = Slot(); put(k, s)
        return TreeEncoder(slot: s, codingPath: codingPath + [k]).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
    mutating func superEncoder(forKey k: Key) -> Encoder { let s = Slot(); put(k, s); return TreeEncoder(slot: s, codingPath: codingPath + [k]) }
}

struct ListWriter: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [CodingKey]
    var count: Int { slot.items!.count }
    func add(_ s: Slot) { slot.items!.append(s) }
    mutating func encodeNil() throws { add(scalarSlot(.null)) }
    mutating func encode(_ v: Bool) throws { add(scalarSlot(.bool(v))) }
    mutating func encode(_ v: String) throws { add(scalarSlot(.string(v))) }
    mutating func encode(_ v: Double) throws { add(scalarSlot(.number(JSON.number(v)))) }
    mutating func encode(_ v: Float) throws { add(scalarSlot(.number(JSON.number(Double(v))))) }
    mutating func encode(_ v: Int) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: Int8) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: Int16) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: Int32) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: Int64) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt8) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt16) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt32) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode(_ v: UInt64) throws { add(scalarSlot(.number(JSON.integer(v)))) }
    mutating func encode<T: Encodable>(_ v: T) throws { add(try TreeEncoder.encode(v, path: codingPath + [IndexKey(count)])) }
    mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) -> KeyedEncodingContainer<N> {
        let s = Slot(); add(s)
        return TreeEncoder(slot: s, codingPath: codingPath).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let s = Slot(); add(s)
        return TreeEncoder(slot: s, codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { let s = Slot(); add(s); return TreeEncoder(slot: s, codingPath: codingPath) }
}

struct ValueWriter: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [CodingKey]
    mutating func encodeNil() throws { slot.scalar = .null }
    mutating func encode(_ v: Bool) throws { slot.scalar = .bool(v) }
    mutating func encode(_ v: String) throws { slot.scalar = .string(v) }
    mutating func encode(_ v: Double) throws { slot.scalar = .number(JSON.number(v)) }
    mutating func encode(_ v: Float) throws { slot.scalar = .number(JSON.number(Double(v))) }
    mutating func encode(_ v: Int) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: Int8) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: Int16) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: Int32) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: Int64) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: UInt) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: UInt8) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: UInt16) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: UInt32) throws { slot.scalar = .number(String(v)) }
    mutating func encode(_ v: UInt64) throws { slot.scalar = .number(String(v)) }
    mutating func encode<T: Encodable>(_ v: T) throws {
        let s = try TreeEncoder.encode(v, path: codingPath)
        slot.scalar = s.scalar; slot.members = s.members; slot.items = s.items
    }
}
