import Glibc
import LockerSpec
import LockerSystem

/// The OCI image-spec and Docker schema 2 documents a pull reads. Both shapes share field
/// names, so one set of types reads both; `MediaType` says which is which.
public enum MediaType {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let dockerList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    public static let manifests = [ociManifest, dockerManifest]
    public static let indexes = [ociIndex, dockerList]
    /// What a pull asks for, in order of preference.
    public static let accept = [ociIndex, dockerList, ociManifest, dockerManifest]

    public enum Compression { case none, gzip, zstd }
    public static func compression(_ t: String) -> Compression? {
        switch t {
        case ociLayer, "application/vnd.oci.image.layer.nondistributable.v1.tar": return Compression.none
        case ociLayerGzip, dockerLayerGzip, dockerForeignLayer, "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": return .gzip
        case ociLayerZstd, "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": return .zstd
        default: return nil
        }
    }
}

public struct Platform: Codable, Equatable, Sendable {
    public var architecture: String
    public var os: String
    public var variant: String?
    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture; self.os = os; self.variant = variant
    }
    enum CodingKeys: String, CodingKey { case architecture, os, variant }

    /// This machine, in the image-spec's (Go's) words.
    public static var host: Platform {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: &u.machine) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let arch: String
        var variant: String? = nil
        switch machine {
        case "x86_64": arch = "amd64"
        case "aarch64", "arm64": arch = "arm64"; variant = "v8"
        case "armv7l": arch = "arm"; variant = "v7"
        case "i686", "i386": arch = "386"
        case "ppc64le": arch = "ppc64le"
        case "s390x": arch = "s390x"
        case "riscv64": arch = "riscv64"
        default: arch = machine
        }
        return Platform(architecture: arch, os: "linux", variant: variant)
    }

    /// `linux/arm64/v8`, `linux/amd64`, or just `arm64`.
    public static func parse(_ s: String) throws -> Platform {
        let p = s.split(separator: "/").map(String.init)
        switch p.count {
        case 1: return Platform(architecture: p[0], os: "linux")
        case 2: return Platform(architecture: p[1], os: p[0])
        case 3: return Platform(architecture: p[1], os: p[0], variant: p[2])
        default: throw LockerError("--platform \(s.debugDescription): want OS/ARCH[/VARIANT]")
        }
    }

    public func matches(_ other: Platform) -> Bool {
        guard os == other.os, architecture == other.architecture else { return false }
        // arm64's only variant is v8; an entry without a variant matches any.
        guard let v = variant, let w = other.variant else { return true }
        return v == w
    }
    public var description: String { os + "/" + architecture + (variant.map { "/" + $0 } ?? "") }
}

public struct Descriptor: Codable, Equatable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var platform: Platform?
    public var annotations: [String: String]?
    public init(mediaType: String, digest: Digest, size: Int64) {
        self.mediaType = mediaType; self.digest = digest; self.size = size
    }
}

/// An image index or a Docker manifest list.
public struct Index: Codable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]

    /// The manifest for `platform`: the first entry that matches, skipping attestations.
    public func select(_ platform: Platform) throws -> Descriptor {
        let candidates = manifests.filter { MediaType.manifests.contains($0.mediaType) || MediaType.indexes.contains($0.mediaType) }
        if let d = candidates.first(where: { $0.platform.map { $0.matches(platform) } ?? false }) { return d }
        let offered = candidates.compactMap { $0.platform?.description }.joined(separator: ", ")
        throw LockerError("no image for \(platform.description) in the index (it has: \(offered.isEmpty ? "none" : offered))")
    }
}

public struct Manifest: Codable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
}

/// The image config (OCI or Docker: same fields).
public struct ImageConfig: Codable, Sendable {
    public struct Run: Codable, Equatable, Sendable {
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var Env: [String]?
        public var WorkingDir: String?
        public var User: String?
        public var StopSignal: String?
        public var Labels: [String: String]?
        public var ExposedPorts: [String: Empty]?
        public var Volumes: [String: Empty]?
        public init() {}
    }
    public struct Empty: Codable, Equatable, Sendable {}
    public struct RootFS: Codable, Sendable {
        public var type: String
        public var diff_ids: [Digest]
    }
    public var created: String?
    public var architecture: String?
    public var os: String?
    public var variant: String?
    public var config: Run?
    public var rootfs: RootFS
}
