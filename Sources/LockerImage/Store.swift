import Glibc
import LockerSpec
import LockerSystem

/// The content-addressed image store under Locker's data root:
///
///     blobs/sha256/HEX          verified blobs: manifests, configs, compressed layers
///     blobs/incoming/HEX.partial downloads in progress (resumed by the next pull)
///     layers/HEX/               a layer unpacked, named by its diff id (uncompressed digest)
///     layers/.tmp-HEX-PID/      an unpack in progress
///     images.json               every image: id, tags, manifest, layers (replaced atomically)
///
/// Everything reaches its final name by rename, and images.json last of all, so a pull
/// killed at any moment leaves the store consistent: at worst a partial download (resumed
/// later) or a temporary directory (removed by the next pull or prune). Layers shared by
/// images are stored and unpacked once.
public struct ImageStore {
    public let root: String
    public init(root: String = ImageStore.defaultRoot()) { self.root = root }

    public static func defaultRoot() -> String {
        if let v = getenv("LOCKER_DATA") { return String(cString: v) }
        return getuid() == 0 ? "/var/lib/locker" : (String(cString: getenv("HOME") ?? strdup("/tmp")) + "/.local/share/locker")
    }

    public var blobsDir: String { root + "/blobs/sha256" }
    public var incomingDir: String { root + "/blobs/incoming" }
    public var layersDir: String { root + "/layers" }
    public var indexFile: String { root + "/images.json" }
    public var credentials: Credentials { Credentials(path: root + "/auth.json") }
    public func blob(_ d: Digest) -> String { blobsDir + "/" + d.hex }
    public func layer(_ diffID: Digest) -> String { layersDir + "/" + diffID.hex }
    public func hasLayer(_ diffID: Digest) -> Bool { Files.isDirectory(layer(diffID)) }

    /// One image: its id is the digest of its config, as docker's.
    public struct Record: Codable, Equatable {
        public var id: Digest
        public var tags: [String]
        public var manifest: Digest?
        public var manifestMediaType: String?
        /// Where it came from: `registry/repo@digest`, for `inspect`.
        public var repoDigests: [String]?
        /// Diff ids, bottom layer first.
        public var layers: [Digest]
        /// The compressed blobs behind them, when the store has them (for `save`).
        public var layerBlobs: [Descriptor]?
        public var created: String?
        /// Bytes of the layers uncompressed.
        public var size: Int64
        public var pulled: String?
    }

    struct Index: Codable { var images: [Record] }

    public func prepare() throws {
        try Files.mkdirAll(root, mode: 0o711)
        for d in [blobsDir, incomingDir] { try Files.mkdirAll(d, mode: 0o700) }
        // Layers are the lower directories of containers whose root may be an unprivileged
        // host id (user namespaces): traversable by all, listable by root only.
        try Files.mkdirAll(layersDir, mode: 0o711)
        _ = chmod(layersDir, 0o711)
    }

    /// Held while images.json changes and while layers are removed.
    public func lock() throws -> FileLock {
        try Files.mkdirAll(root, mode: 0o711)
        return try FileLock(root + "/images.lock")
    }

    public func records() -> [Record] {
        guard let bytes = try? Files.read(indexFile) else { return [] }
        return (try? JSON.decode(Index.self, from: bytes, file: indexFile).images) ?? []
    }

    func save(_ records: [Record]) throws {
        try Files.writeAtomic(indexFile, JSON.encode(Index(images: records), pretty: true), mode: 0o600)
    }

    /// The image a user names: `name[:tag]`, a full or short id, or `name@digest`.
    public func find(_ text: String) -> Record? {
        let all = records()
        let bare = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        if bare.count >= 12, bare.allSatisfy({ $0.isHexDigit }), let r = all.first(where: { $0.id.hex.hasPrefix(bare) }) { return r }
        guard let ref = try? Reference(text) else { return nil }
        if let d = ref.digest {
            return all.first { r in r.manifest == d && (r.repoDigests ?? []).contains { $0.hasPrefix(ref.name + "@") } }
        }
        let tag = ref.name + ":" + (ref.tag ?? "latest")
        return all.first { $0.tags.contains(tag) }
    }

    /// Adds or updates an image, moving `tag` to it from any other image.
    public func commit(_ new: Record, tag: String?) throws {
        let l = try lock()
        _ = l
        var all = records()
        if let t = tag { for i in all.indices { all[i].tags.removeAll { $0 == t } } }
        if let i = all.firstIndex(where: { $0.id == new.id }) {
            var merged = all[i]
            merged.layers = new.layers
            merged.layerBlobs = new.layerBlobs ?? merged.layerBlobs
            merged.manifest = new.manifest ?? merged.manifest
            merged.manifestMediaType = new.manifestMediaType ?? merged.manifestMediaType
            merged.repoDigests = Array(Set((merged.repoDigests ?? []) + (new.repoDigests ?? []))).sorted()
            merged.created = new.created ?? merged.created
            merged.size = new.size
            merged.pulled = new.pulled
            if let t = tag, !merged.tags.contains(t) { merged.tags.append(t) }
            all[i] = merged
        } else {
            var r = new
            if let t = tag, !r.tags.contains(t) { r.tags.append(t) }
            all.append(r)
        }
        try save(all)
    }

    /// The image's config, from its blob.
    public func config(_ r: Record) throws -> ImageConfig { try config(r.id) }
    public func config(_ id: Digest) throws -> ImageConfig {
        let path = blob(id)
        return try JSON.decode(ImageConfig.self, from: Files.read(path), file: path)
    }

    /// Layer directories, top first, as overlayfs's lowerdir lists them.
    public func lowerDirs(_ r: Record) throws -> [String] {
        for l in r.layers where !hasLayer(l) {
            throw LockerError("image \(r.tags.first ?? r.id.short): layer \(l) is missing from the store (\(layer(l))); pull or import the image again")
        }
        return r.layers.reversed().map(layer)
    }

    // MARK: - Blobs

    /// Moves a downloaded or written file into the blob store once its digest is checked.
    public func adopt(_ file: String, as digest: Digest, what: String) throws {
        let got = try Digest.ofFile(file)
        guard got == digest else {
            unlink(file)
            throw LockerError("\(what): digest mismatch: expected \(digest), got \(got); the download was discarded")
        }
        // No fsync: a kill leaves either the partial file or the whole blob, which is what
        // consistency needs; syncing tens of megabytes here stalled the unpack that follows
        // (ext4 makes new files wait for that data's journal commit).
        try sys("rename \(file) to", blob(digest)) { rename(file, blob(digest)) }
    }

    public func writeBlob(_ bytes: [UInt8]) throws -> Digest {
        let d = Digest.of(bytes)
        if !Files.exists(blob(d)) { try Files.writeAtomic(blob(d), bytes, mode: 0o600) }
        return d
    }

    // MARK: - Layers

    /// Unpacks a blob into layers/DIFFID unless it is there; checks the diff id.
    @discardableResult
    public func unpack(blob path: String, compression: MediaType.Compression, expect diffID: Digest?, what: String,
                       hashBlob: Bool = false) throws -> (diffID: Digest, size: Int64, blobDigest: Digest?) {
        if let d = diffID, hasLayer(d) { return (d, layerSize(d), nil) }
        let tmp = layersDir + "/.tmp-\(diffID?.short ?? "import")-\(getpid())-\(Scratch.next())"
        try? Files.removeTree(tmp)
        try sys("mkdir", tmp) { mkdir(tmp, 0o755) }
        do {
            let r = try Unpack.layer(blob: path, compression: compression, into: tmp, hashBlob: hashBlob)
            if r.entries == 0 && diffID == nil { throw LockerError("not a tar archive, or an empty one") }
            if let d = diffID, d != r.diffID {
                throw LockerError("\(what): the uncompressed layer is \(r.diffID), but the image config says \(d)")
            }
            try Files.write(tmp + ".size", Array("\(r.size)".utf8), mode: 0o600)
            if hasLayer(r.diffID) {
                try? Files.removeTree(tmp)
                unlink(tmp + ".size")
                return (r.diffID, r.size, r.blobDigest)
            }
            try sys("rename \(tmp) to", layer(r.diffID) + ".size") { rename(tmp + ".size", layer(r.diffID) + ".size") }
            try sys("rename \(tmp) to", layer(r.diffID)) { rename(tmp, layer(r.diffID)) }
            if r.skippedDevices > 0 {
                try? FD.writeAll(2, "locker: \(what): \(r.skippedDevices) device node(s) skipped (not allowed here)\n")
            }
            return (r.diffID, r.size, r.blobDigest)
        } catch {
            try? Files.removeTree(tmp)
            unlink(tmp + ".size")
            throw LockerError("\(what): \(error)")
        }
    }

    public func layerSize(_ d: Digest) -> Int64 {
        Int64((try? Files.readString(layer(d) + ".size"))?.trimmingCharacters() ?? "") ?? 0
    }

    // MARK: - Removal

    /// Image ids that containers made by `locker run` still use (their bundles say so).
    public func imagesInUse() -> Set<Digest> { Set(containerImages().map(\.0)) }

    /// For each container bundle: its image id and the layers its rootfs is made of
    /// (the file `image` in the bundle: the id, then one diff id per line).
    func containerImages() -> [(Digest, [Digest])] {
        var out: [(Digest, [Digest])] = []
        let dir = root + "/containers"
        for id in (try? Files.listDirectory(dir)) ?? [] {
            guard let s = try? Files.readString(dir + "/" + id + "/image") else { continue }
            let lines = s.split(separator: "\n").compactMap { try? Digest(String($0).trimmingCharacters()) }
            if let first = lines.first { out.append((first, Array(lines.dropFirst()))) }
        }
        return out
    }

    /// `rmi`: untags; removes the image when no tag is left (or with force, at once).
    /// Refused while a container uses it, unless forced.
    public func remove(_ text: String, force: Bool) throws -> [String] {
        let l = try lock()
        _ = l
        guard let r = find(text) else { throw LockerError("image \(text.debugDescription) is not in the local store") }
        var all = records()
        var out: [String] = []
        let byTag = (try? Reference(text)).map { $0.name + ":" + ($0.tag ?? "latest") }
        if let t = byTag, r.tags.contains(t), r.tags.count > 1, !force {
            all[all.firstIndex(of: r)!].tags.removeAll { $0 == t }
            try save(all)
            return ["Untagged: " + t]
        }
        if !force && imagesInUse().contains(r.id) {
            throw LockerError("image \(text) (\(r.id.short)) is used by a container; remove the container first or use --force")
        }
        all.removeAll { $0.id == r.id }
        try save(all)
        out += r.tags.map { "Untagged: " + $0 }
        out.append("Deleted: \(r.id)")
        try collectGarbage(keep: all)
        return out
    }

    /// `image prune`: untagged images (with `all`, every image no container uses), then
    /// whatever no remaining image needs: layers, blobs, stale temporary files.
    public func prune(all pruneAll: Bool) throws -> [String] {
        let l = try lock()
        _ = l
        let used = imagesInUse()
        var keep: [Record] = []
        var out: [String] = []
        for r in records() {
            if used.contains(r.id) || (!pruneAll && !r.tags.isEmpty) { keep.append(r) } else { out.append("Deleted: \(r.id)") }
        }
        try save(keep)
        out += try collectGarbage(keep: keep)
        return out
    }

    /// Removes layers and blobs no kept image refers to, and leftovers of interrupted work.
    @discardableResult
    func collectGarbage(keep: [Record]) throws -> [String] {
        var out: [String] = []
        var layers = Set<String>()
        var blobs = Set<String>()
        for r in keep {
            layers.formUnion(r.layers.map(\.hex))
            blobs.insert(r.id.hex)
            if let m = r.manifest { blobs.insert(m.hex) }
            for b in r.layerBlobs ?? [] { blobs.insert(b.digest.hex) }
        }
        // Layers still mounted by containers stay too.
        for (_, used) in containerImages() { layers.formUnion(used.map(\.hex)) }
        for name in (try? Files.listDirectory(layersDir)) ?? [] {
            let hex = name.hasSuffix(".size") ? String(name.dropLast(5)) : name
            if name.hasPrefix(".tmp-") {
                if !ImageStore.ownerAlive(name) { try? Files.removeTree(layersDir + "/" + name) }
                continue
            }
            if !layers.contains(hex) {
                try Files.removeTree(layersDir + "/" + name)
                if !name.hasSuffix(".size") { out.append("Deleted layer: sha256:\(hex)") }
            }
        }
        for name in (try? Files.listDirectory(blobsDir)) ?? [] where !blobs.contains(name) {
            unlink(blobsDir + "/" + name)
        }
        for name in (try? Files.listDirectory(incomingDir)) ?? [] where !ImageStore.ownerAlive(name) {
            // Partial downloads stay for a later resume unless nothing wants them.
            let hex = String(name.prefix(64))
            if !blobs.contains(hex) && !name.hasSuffix(".lock") { unlink(incomingDir + "/" + name) }
        }
        return out
    }

    /// `.tmp-X-PID-N`: whether PID still runs.
    static func ownerAlive(_ name: String) -> Bool {
        let parts = name.split(separator: "-")
        guard parts.count >= 4, let pid = Int32(parts[parts.count - 2]) else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
