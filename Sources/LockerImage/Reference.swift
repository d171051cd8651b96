import LockerSystem

/// An image reference as docker and podman read one: `[REGISTRY/]REPOSITORY[:TAG][@DIGEST]`.
/// The first component is a registry when it has a `.` or `:` or is `localhost`; otherwise
/// the registry is Docker Hub and one-word repositories live under `library/`.
public struct Reference: Equatable, CustomStringConvertible, Sendable {
    public var registry: String
    public var repository: String
    public var tag: String?
    public var digest: Digest?

    public static let dockerHub = "docker.io"

    public init(_ text: String) throws {
        func bad(_ why: String) -> LockerError { LockerError("invalid image reference \(text.debugDescription): \(why)") }
        guard !text.isEmpty, text.utf8.count <= 255 else { throw bad("empty or too long") }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = try Digest(String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let t = String(rest[rest.index(after: colon)...])
            guard !t.isEmpty, t.utf8.count <= 128, t.unicodeScalars.allSatisfy({ Reference.isAlnum($0) || "._-".unicodeScalars.contains($0) }),
                  !t.hasPrefix("."), !t.hasPrefix("-") else { throw bad("bad tag \(t.debugDescription)") }
            tag = t
            rest = rest[..<colon]
        }
        var parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            registry = parts.removeFirst()
            guard Reference.validHost(registry) else { throw bad("bad registry \(registry.debugDescription)") }
        } else {
            registry = Reference.dockerHub
        }
        if registry == Reference.dockerHub || registry == "index.docker.io" || registry == "registry-1.docker.io" {
            registry = Reference.dockerHub
            if parts.count == 1 { parts.insert("library", at: 0) }
        }
        for p in parts {
            guard !p.isEmpty, p.unicodeScalars.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || "._-".unicodeScalars.contains($0) }),
                  let f = p.unicodeScalars.first, let l = p.unicodeScalars.last,
                  Reference.isAlnum(f), Reference.isAlnum(l) else {
                throw bad("repository components are lowercase letters, digits and . _ -")
            }
        }
        repository = parts.joined(separator: "/")
        if tag == nil && digest == nil { tag = "latest" }
    }

    /// `host[:port]`: dot-separated labels of letters, digits and inner hyphens, or `[IPv6]`.
    static func validHost(_ s: String) -> Bool {
        var host = Substring(s)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inner = host[host.index(after: host.startIndex)..<close]
            guard !inner.isEmpty, inner.unicodeScalars.allSatisfy({ isAlnum($0) || $0 == ":" }) else { return false }
            host = host[host.index(after: close)...]
            if host.isEmpty { return true }
            guard host.first == ":" else { return false }
            return host.dropFirst().allSatisfy(\.isNumber) && host.count > 1
        }
        let parts = host.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 { guard !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber) else { return false } }
        let labels = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { l in
            !l.isEmpty && l.unicodeScalars.allSatisfy { isAlnum($0) || $0 == "-" } && l.first != "-" && l.last != "-"
        }
    }

    static func isAlnum(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
    }

    /// `registry/repository`, short for Docker Hub's own (`busybox`, `user/app`).
    public var name: String {
        if registry == Reference.dockerHub {
            return repository.hasPrefix("library/") ? String(repository.dropFirst(8)) : repository
        }
        return registry + "/" + repository
    }

    public var description: String {
        name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0.description } ?? "")
    }

    /// The host to talk to: Docker Hub's API host differs from its name.
    public var apiHost: String { registry == Reference.dockerHub ? "registry-1.docker.io" : registry }

    /// Plain HTTP only for loopback registries or those the user marks insecure.
    public func isLoopback() -> Bool {
        let host = registry.split(separator: ":").first.map(String.init) ?? registry
        return host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
