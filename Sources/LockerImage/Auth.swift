import CCrypto
import Glibc
import LockerSpec
import LockerSystem

/// A `WWW-Authenticate` challenge: `Basic realm="..."` or
/// `Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"`.
public struct Challenge: Equatable {
    public var scheme: String
    public var params: [String: String]

    public static func parse(_ header: String) -> Challenge? {
        let trimmed = header.trimmingCharacters()
        guard let space = trimmed.firstIndex(of: " ") else {
            return trimmed.isEmpty ? nil : Challenge(scheme: trimmed.lowercased(), params: [:])
        }
        let scheme = String(trimmed[..<space]).lowercased()
        var params: [String: String] = [:]
        var s = Substring(trimmed[trimmed.index(after: space)...])
        while !s.isEmpty {
            s = s.drop { $0 == " " || $0 == "," }
            guard let eq = s.firstIndex(of: "=") else { break }
            let key = s[..<eq].trimmingCharacters(in: " ").lowercased()
            s = s[s.index(after: eq)...]
            var value = ""
            if s.first == "\"" {
                s = s.dropFirst()
                var escaped = false
                while let c = s.first {
                    s = s.dropFirst()
                    if escaped { value.append(c); escaped = false; continue }
                    if c == "\\" { escaped = true; continue }
                    if c == "\"" { break }
                    value.append(c)
                }
            } else {
                let end = s.firstIndex(of: ",") ?? s.endIndex
                value = String(s[..<end]).trimmingCharacters()
                s = s[end...]
            }
            params[key] = value
        }
        return Challenge(scheme: scheme, params: params)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

/// Base64 through libcrypto.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let n = EVP_EncodeBlock(&out, bytes, Int32(bytes.count))
        return String(decoding: out[0..<Int(n)], as: UTF8.self)
    }
    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: input.count / 4 * 3 + 1)
        let n = EVP_DecodeBlock(&out, input, Int32(input.count))
        guard n >= 0 else { return nil }
        let pad = input.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        return Array(out[0..<(Int(n) - pad)])
    }
}

/// Registry credentials, in docker's config.json shape (`{"auths": {"host": {"auth": b64}}}`),
/// kept in one file readable by its owner only and replaced atomically.
public struct Credentials {
    public let path: String
    public init(path: String) { self.path = path }

    struct File: Codable {
        struct Entry: Codable { var auth: String }
        var auths: [String: Entry]
    }

    func load() -> File {
        guard let bytes = try? Files.read(path), let f = try? JSON.decode(File.self, from: bytes, file: path) else { return File(auths: [:]) }
        return f
    }

    /// `user:password` for a registry, if stored.
    public func lookup(_ registry: String) -> String? {
        guard let e = load().auths[registry], let raw = Base64.decode(e.auth) else { return nil }
        let s = String(decoding: raw, as: UTF8.self)
        return s.contains(":") ? s : nil
    }

    public func store(_ registry: String, user: String, password: String) throws {
        var f = load()
        f.auths[registry] = File.Entry(auth: Base64.encode(Array("\(user):\(password)".utf8)))
        try Files.mkdirAll(Files.dirname(path), mode: 0o700)
        try Files.writeAtomic(path, JSON.encode(f, pretty: true), mode: 0o600)
    }

    @discardableResult
    public func remove(_ registry: String) throws -> Bool {
        var f = load()
        guard f.auths.removeValue(forKey: registry) != nil else { return false }
        try Files.writeAtomic(path, JSON.encode(f, pretty: true), mode: 0o600)
        return true
    }
}
