import Glibc
import LockerSpec
import LockerSystem

/// Local images: each is an unpacked root filesystem with the image config that says how
/// to run it. `locker import` fills the store; `locker run NAME` reads it.
public struct ImageStore {
    public let root: String
    public init(root: String = ImageStore.defaultRoot()) { self.root = root }

    public static func defaultRoot() -> String {
        if let v = getenv("LOCKER_DATA") { return String(cString: v) }
        return getuid() == 0 ? "/var/lib/locker" : (String(cString: getenv("HOME") ?? strdup("/tmp")) + "/.local/share/locker")
    }

    /// The subset of the OCI image config `locker run` applies.
    public struct Config: Codable, Equatable, Sendable {
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var Env: [String]?
        public var WorkingDir: String?
        public var User: String?
        public var StopSignal: String?
        public var Labels: [String: String]?
        public init() {}
    }

    public struct Image {
        public var reference: String
        public var directory: String
        public var rootfs: String { directory + "/rootfs" }
        public var config: Config
    }

    /// `busybox` means `busybox:latest`; repository parts are letters, digits and `._-/`.
    public static func normalize(_ ref: String) throws -> (name: String, tag: String) {
        var name = ref
        var tag = "latest"
        if let colon = ref.lastIndex(of: ":"), !ref[colon...].contains("/") {
            name = String(ref[..<colon])
            tag = String(ref[ref.index(after: colon)...])
        }
        let okName = !name.isEmpty && name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || "._-/".unicodeScalars.contains($0) }
            && !name.hasPrefix("/") && !name.contains("..") && !name.hasSuffix("/")
        let okTag = !tag.isEmpty && tag.count <= 128 && tag.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "._-".unicodeScalars.contains($0) }
        guard okName, okTag else { throw LockerError("invalid image reference \(ref.debugDescription)") }
        return (name, tag)
    }

    public func directory(_ ref: String) throws -> String {
        let (n, t) = try ImageStore.normalize(ref)
        return root + "/images/" + n + "/" + t
    }

    public func find(_ ref: String) throws -> Image? {
        let dir = try directory(ref)
        guard Files.isDirectory(dir + "/rootfs") else { return nil }
        let cfg = (try? JSON.decode(Config.self, from: Files.read(dir + "/config.json"), file: dir + "/config.json")) ?? Config()
        let (n, t) = try ImageStore.normalize(ref)
        return Image(reference: n + ":" + t, directory: dir, config: cfg)
    }

    public func list() -> [Image] {
        var out: [Image] = []
        func walk(_ rel: String) {
            let dir = root + "/images" + (rel.isEmpty ? "" : "/" + rel)
            guard let names = try? Files.listDirectory(dir) else { return }
            for n in names {
                let sub = rel.isEmpty ? n : rel + "/" + n
                if Files.isDirectory(root + "/images/" + sub + "/rootfs") {
                    let name = rel
                    if let img = try? find(name + ":" + n) { out.append(img) }
                } else if Files.isDirectory(root + "/images/" + sub) {
                    walk(sub)
                }
            }
        }
        walk("")
        return out
    }

    /// Imports a root filesystem from a directory (copied) or a tarball (unpacked), with an
    /// image config. A failed import leaves nothing behind.
    public func importRootfs(from source: String, as ref: String, config: Config) throws -> Image {
        let dir = try directory(ref)
        let tmp = dir + ".importing.\(getpid())"
        try Files.mkdirAll(tmp + "/rootfs")
        do {
            let tool: (String, [String])
            if Files.isDirectory(source) {
                tool = ("/bin/cp", ["cp", "-a", "--", source + "/.", tmp + "/rootfs/"])
            } else if Files.exists(source) {
                tool = ("/bin/tar", ["tar", "-xf", source, "-C", tmp + "/rootfs", "--numeric-owner"])
            } else {
                throw SystemError("import", source, errno: ENOENT)
            }
            let r = try Spawn.run(tool.0, args: tool.1, env: [Defaults.path])
            if r != .exited(0) { throw LockerError("import \(source): \(tool.1[0]) failed (\(r))") }
            try Files.write(tmp + "/config.json", JSON.encode(config, pretty: true))
            if Files.exists(dir) { try Files.removeTree(dir) }
            try sys("rename", dir) { rename(tmp, dir) }
        } catch {
            try? Files.removeTree(tmp)
            throw error
        }
        guard let img = try find(ref) else { throw LockerError("import \(ref): the image did not appear in the store") }
        return img
    }

    public func remove(_ ref: String) throws {
        let dir = try directory(ref)
        guard Files.isDirectory(dir) else { throw LockerError("image \(ref.debugDescription) is not in the store") }
        try Files.removeTree(dir)
    }
}
