import CCrypto
import Glibc
import LockerSystem

/// A content digest, `sha256:<64 hex>`: the name of every blob and layer in the store.
/// Only sha256 is accepted (what registries and image specs use); anything else, or hex of
/// the wrong length or case, is refused before it can become a path.
public struct Digest: Hashable, Codable, CustomStringConvertible, Sendable {
    public let hex: String
    public var description: String { "sha256:" + hex }
    public var short: String { String(hex.prefix(12)) }

    public init(hex: String) throws {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw LockerError("not a sha256 digest: \(hex.debugDescription)")
        }
        self.hex = hex
    }

    public init(_ text: String) throws {
        guard text.hasPrefix("sha256:") else {
            throw LockerError("unsupported digest \(text.debugDescription): only sha256 is supported")
        }
        try self.init(hex: String(text.dropFirst(7)))
    }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(s) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public static func of(_ bytes: [UInt8]) -> Digest {
        var h = SHA256()
        h.update(bytes)
        return h.finish()
    }

    /// The digest of a whole file, read in large chunks.
    public static func ofFile(_ path: String) throws -> Digest {
        let fd = try FD.open(path, O_RDONLY)
        var h = SHA256()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd.raw, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw SystemError("read", path) }
            if n == 0 { break }
            buf.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return h.finish()
    }
}

/// Streaming sha256 (OpenSSL's libcrypto, which uses the CPU's SHA instructions).
public struct SHA256 {
    let ctx: OpaquePointer
    public init() {
        ctx = EVP_MD_CTX_new()
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
    }
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count) }
    }
    public func finish() -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &out, &len)
        EVP_MD_CTX_free(ctx)
        let hexDigits = Array("0123456789abcdef".utf8)
        var s = [UInt8]()
        s.reserveCapacity(64)
        for b in out { s.append(hexDigits[Int(b >> 4)]); s.append(hexDigits[Int(b & 15)]) }
        return try! Digest(hex: String(decoding: s, as: UTF8.self))
    }
}
