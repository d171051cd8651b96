import Glibc
import LockerSpec
import LockerSystem

/// Images in and out of files: `import` of a root filesystem (directory or tarball), an OCI
/// image layout (directory or tar) or a `docker save` archive; `save` writes an OCI layout
/// tar that also carries docker's manifest.json, so `docker load` and `podman load` read it.
public struct Archive {
    let store: ImageStore
    public init(store: ImageStore) { self.store = store }

    /// What a plain root filesystem import puts in the image config.
    public struct Defaults {
        public var cmd: [String] = ["sh"]
        public var env: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        public var workdir: String?
        public init() {}
    }

    enum Kind { case rootfsDir, rootfsTar, ociLayout, dockerArchive }

    public func importAny(_ source: String, as tag: String?, defaults: Defaults) throws -> (ImageStore.Record, String?) {
        try store.prepare()
        switch try detect(source) {
        case .rootfsDir:
            let tar = store.incomingDir + "/import-\(getpid())-\(Scratch.next()).tar"
            defer { unlink(tar) }
            try Archive.tool(["tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "-C", source, "-cf", tar, "."], what: "import \(source)")
            return (try importRootfsTar(tar, as: tag, defaults: defaults, what: "import \(source)"), try tag.map(Archive.tagName))
        case .rootfsTar:
            return (try importRootfsTar(source, as: tag, defaults: defaults, what: "import \(source)"), try tag.map(Archive.tagName))
        case .ociLayout:
            return try withDirectory(source) { try importLayout($0, as: tag, what: "import \(source)") }
        case .dockerArchive:
            return try withDirectory(source) { try importDockerArchive($0, as: tag, what: "import \(source)") }
        }
    }

    func detect(_ source: String) throws -> Kind {
        if Files.isDirectory(source) {
            if Files.exists(source + "/oci-layout") && Files.exists(source + "/index.json") { return .ociLayout }
            if Files.exists(source + "/manifest.json") && !Files.isDirectory(source + "/etc") { return .dockerArchive }
            return .rootfsDir
        }
        guard Files.exists(source) else { throw SystemError("import", source, errno: ENOENT) }
        // Look at the first entries of the tar.
        let fd = try FD.open(source, O_RDONLY)
        let stream = LayerStream(try Archive.source(fd.raw, path: source), hashing: false)
        var reader = TarReader(stream)
        var sawManifest = false
        for _ in 0..<64 {
            guard let e = try? reader.next() else { break }
            let n = e.name.hasPrefix("./") ? String(e.name.dropFirst(2)) : e.name
            if n == "oci-layout" { return .ociLayout }
            if n == "manifest.json" { sawManifest = true }
            if n.hasPrefix("etc/") || n == "etc" || n.hasPrefix("bin/") || n == "bin" { return .rootfsTar }
            try? reader.skipData(e.size)
        }
        return sawManifest ? .dockerArchive : .rootfsTar
    }

    static func compression(of path: String) -> MediaType.Compression {
        guard let fd = try? FD.open(path, O_RDONLY) else { return .none }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = read(fd.raw, &magic, 4)
        if n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b { return .gzip }
        if n == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] { return .zstd }
        return .none
    }

    static func source(_ fd: Int32, path: String) throws -> ByteSource {
        switch compression(of: path) {
        case .gzip: return try GzipSource(PlainSource(fd: fd))
        case .zstd: return try ZstdSource(PlainSource(fd: fd))
        case .none: return PlainSource(fd: fd)
        }
    }

    static func tool(_ args: [String], what: String) throws {
        let path = "/bin/" + args[0]
        let r = try Spawn.run(path, args: args, env: ["PATH=/usr/bin:/bin"])
        if r != .exited(0) { throw LockerError("\(what): \(args[0]) failed (\(r))") }
    }

    /// An archive's contents in a temporary directory (a directory is used as it is).
    func withDirectory<T>(_ source: String, _ body: (String) throws -> T) throws -> T {
        if Files.isDirectory(source) { return try body(source) }
        let tmp = store.incomingDir + "/.tmp-extract-\(getpid())-\(Scratch.next())"
        try Files.mkdirAll(tmp, mode: 0o700)
        defer { try? Files.removeTree(tmp) }
        try Archive.tool(["tar", "--no-same-owner", "-C", tmp, "-xf", source], what: "read \(source)")
        return try body(tmp)
    }

    func importRootfsTar(_ tar: String, as tag: String?, defaults: Defaults, what: String) throws -> ImageStore.Record {
        let compression = Archive.compression(of: tar)
        let (diff, size, hashed) = try store.unpack(blob: tar, compression: compression, expect: nil, what: what, hashBlob: true)
        // The tarball itself is the layer's blob (for save).
        let blobDigest = try hashed ?? Digest.ofFile(tar)
        try copyBlob(tar, as: blobDigest, what: what)
        var run = ImageConfig.Run()
        run.Cmd = defaults.cmd
        run.Env = defaults.env
        run.WorkingDir = defaults.workdir
        let p = Platform.host
        let config = ImageConfig(created: Archive.now(), architecture: p.architecture, os: p.os, variant: p.variant, config: run,
                                 rootfs: .init(type: "layers", diff_ids: [diff]))
        let cfgBytes = try JSON.encode(config)
        let id = try store.writeBlob(cfgBytes)
        let mediaType = compression == .gzip ? MediaType.ociLayerGzip : compression == .zstd ? MediaType.ociLayerZstd : MediaType.ociLayer
        var layerDesc = Descriptor(mediaType: mediaType, digest: blobDigest, size: Int64(Archive.fileSize(tar)))
        layerDesc.platform = nil
        let record = ImageStore.Record(id: id, tags: [], manifest: nil, manifestMediaType: nil, repoDigests: nil, layers: [diff],
                                       layerBlobs: [layerDesc], created: config.created, size: size, pulled: nil)
        try store.commit(record, tag: try tag.map(Archive.tagName))
        return store.find(id.hex) ?? record
    }

    /// `busybox` → `busybox:latest`, as the store keys tags.
    public static func tagName(_ text: String) throws -> String {
        let r = try Reference(text)
        guard r.digest == nil else { throw LockerError("\(text): a tag, not a digest, names an imported image") }
        return r.name + ":" + (r.tag ?? "latest")
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    static func now() -> String {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        var tm = tm()
        var secs = t.tv_sec
        gmtime_r(&secs, &tm)
        func p(_ v: Int32, _ w: Int) -> String { String(v).leftPad(w) }
        return "\(p(tm.tm_year + 1900, 4))-\(p(tm.tm_mon + 1, 2))-\(p(tm.tm_mday, 2))T\(p(tm.tm_hour, 2)):\(p(tm.tm_min, 2)):\(p(tm.tm_sec, 2))Z"
    }

    /// A copy of a file the user owns into the blob store (checked against `digest`), unless
    /// the store has that blob already.
    func copyBlob(_ path: String, as digest: Digest, what: String) throws {
        if Files.exists(store.blob(digest)) { return }
        let copy = store.incomingDir + "/\(digest.hex).copy.\(getpid())"
        try Archive.tool(["cp", "--", path, copy], what: what)
        try store.adopt(copy, as: digest, what: what)
    }

    // MARK: - OCI layout and docker-archive

    /// Reads a blob of a layout, checking its digest, into the store.
    func adoptFromLayout(_ dir: String, _ d: Digest, what: String) throws {
        if Files.exists(store.blob(d)) { return }
        let src = dir + "/blobs/sha256/" + d.hex
        guard Files.exists(src) else { throw LockerError("\(what): blob \(d) is missing from the layout") }
        try copyBlob(src, as: d, what: "\(what): blob \(d)")
    }

    func importLayout(_ dir: String, as tag: String?, what: String) throws -> (ImageStore.Record, String?) {
        let index = try JSON.decode(Index.self, from: Files.read(dir + "/index.json"), file: "\(what): index.json")
        guard var desc = index.manifests.first else { throw LockerError("\(what): index.json lists no image") }
        if index.manifests.count > 1 || MediaType.indexes.contains(desc.mediaType) {
            var candidates = index
            if MediaType.indexes.contains(desc.mediaType) {
                try adoptFromLayout(dir, desc.digest, what: what)
                candidates = try JSON.decode(Index.self, from: Files.read(store.blob(desc.digest)), file: "\(what): nested index")
            }
            desc = (try? candidates.select(Platform.host)) ?? candidates.manifests[0]
        }
        let refName = desc.annotations?["org.opencontainers.image.ref.name"] ?? index.manifests.first?.annotations?["org.opencontainers.image.ref.name"]
        try adoptFromLayout(dir, desc.digest, what: what)
        let manifest = try JSON.decode(Manifest.self, from: Files.read(store.blob(desc.digest)), file: "\(what): manifest")
        try adoptFromLayout(dir, manifest.config.digest, what: what)
        let config = try store.config(manifest.config.digest)
        guard config.rootfs.diff_ids.count == manifest.layers.count else { throw LockerError("\(what): config and manifest disagree on the layers") }
        var total: Int64 = 0
        for (l, diff) in zip(manifest.layers, config.rootfs.diff_ids) {
            guard let c = MediaType.compression(l.mediaType) else { throw LockerError("\(what): layer \(l.digest.short): unsupported media type \(l.mediaType)") }
            if !store.hasLayer(diff) { try adoptFromLayout(dir, l.digest, what: what) }
            total += try store.unpack(blob: store.blob(l.digest), compression: c, expect: diff, what: "\(what): layer \(l.digest)").size
        }
        let record = ImageStore.Record(id: manifest.config.digest, tags: [], manifest: desc.digest, manifestMediaType: desc.mediaType,
                                       repoDigests: nil, layers: config.rootfs.diff_ids, layerBlobs: manifest.layers,
                                       created: config.created, size: total, pulled: nil)
        let name: String? = try tag.map(Archive.tagName) ?? refName.flatMap { n in
            n.contains(":") || n.contains("/") ? try? Archive.tagName(n) : nil
        }
        try store.commit(record, tag: name)
        return (store.find(manifest.config.digest.hex) ?? record, name)
    }

    func importDockerArchive(_ dir: String, as tag: String?, what: String) throws -> (ImageStore.Record, String?) {
        struct Entry: Codable { var Config: String; var RepoTags: [String]?; var Layers: [String] }
        let entries = try JSON.decode([Entry].self, from: Files.read(dir + "/manifest.json"), file: "\(what): manifest.json")
        guard let e = entries.first else { throw LockerError("\(what): manifest.json lists no image") }
        func inside(_ rel: String) throws -> String {
            let parts = try LayerWriter.components(rel, what: "\(what): path")
            return dir + "/" + parts.joined(separator: "/")
        }
        let cfgBytes = try Files.read(try inside(e.Config))
        let id = try store.writeBlob(cfgBytes)
        let config = try store.config(id)
        guard config.rootfs.diff_ids.count == e.Layers.count else { throw LockerError("\(what): config and manifest.json disagree on the layers") }
        var total: Int64 = 0
        var blobs: [Descriptor] = []
        for (rel, diff) in zip(e.Layers, config.rootfs.diff_ids) {
            let path = try inside(rel)
            let c = Archive.compression(of: path)
            total += try store.unpack(blob: path, compression: c, expect: diff, what: "\(what): layer \(rel)").size
            let d = try Digest.ofFile(path)
            try copyBlob(path, as: d, what: what)
            blobs.append(Descriptor(mediaType: c == .gzip ? MediaType.ociLayerGzip : c == .zstd ? MediaType.ociLayerZstd : MediaType.ociLayer,
                                    digest: d, size: Int64(Archive.fileSize(path))))
        }
        let record = ImageStore.Record(id: id, tags: [], manifest: nil, manifestMediaType: nil, repoDigests: nil,
                                       layers: config.rootfs.diff_ids, layerBlobs: blobs, created: config.created, size: total, pulled: nil)
        let name = try tag.map(Archive.tagName) ?? e.RepoTags?.first.flatMap { try? Archive.tagName($0) }
        try store.commit(record, tag: name)
        return (store.find(id.hex) ?? record, name)
    }

    /// Writes an OCI image layout tar with docker's manifest.json beside it.
    public func save(_ text: String, to output: String) throws {
        guard let r = store.find(text) else { throw LockerError("image \(text.debugDescription) is not in the local store") }
        guard let blobs = r.layerBlobs, blobs.count == r.layers.count, blobs.allSatisfy({ Files.exists(store.blob($0.digest)) }) else {
            throw LockerError("image \(text): its layer blobs are not in the store (pull or import it again to save it)")
        }
        let tmp = store.incomingDir + "/.tmp-save-\(getpid())-\(Scratch.next())"
        try Files.mkdirAll(tmp + "/blobs/sha256", mode: 0o755)
        defer { try? Files.removeTree(tmp) }
        func place(_ d: Digest) throws {
            let dst = tmp + "/blobs/sha256/" + d.hex
            if Files.exists(dst) { return }
            if link(store.blob(d), dst) != 0 { try Archive.tool(["cp", "--", store.blob(d), dst], what: "save") }
        }
        let cfgBytes = try Files.read(store.blob(r.id))
        let manifest = Manifest(schemaVersion: 2, mediaType: MediaType.ociManifest,
                                config: Descriptor(mediaType: MediaType.ociConfig, digest: r.id, size: Int64(cfgBytes.count)),
                                layers: blobs.map { var b = $0; b.platform = nil; b.annotations = nil; b.urls = nil; return b })
        let mBytes = try JSON.encode(manifest)
        let mDigest = try store.writeBlob(mBytes)
        try place(mDigest)
        try place(r.id)
        for b in blobs { try place(b.digest) }
        var desc = Descriptor(mediaType: MediaType.ociManifest, digest: mDigest, size: Int64(mBytes.count))
        let tag = (try? Reference(text)).flatMap { $0.digest == nil && r.tags.contains($0.name + ":" + ($0.tag ?? "latest")) ? $0.name + ":" + ($0.tag ?? "latest") : nil } ?? r.tags.first
        if let t = tag { desc.annotations = ["org.opencontainers.image.ref.name": t] }
        try Files.write(tmp + "/index.json", JSON.encode(Index(schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [desc])))
        try Files.write(tmp + "/oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        struct Entry: Codable { var Config: String; var RepoTags: [String]; var Layers: [String] }
        let docker = [Entry(Config: "blobs/sha256/" + r.id.hex, RepoTags: tag.map { [$0] } ?? [], Layers: blobs.map { "blobs/sha256/" + $0.digest.hex })]
        try Files.write(tmp + "/manifest.json", JSON.encode(docker))
        let out = output + ".tmp.\(getpid())"
        do {
            try Archive.tool(["tar", "--numeric-owner", "--owner=0", "--group=0", "-C", tmp, "-cf", out, "oci-layout", "index.json", "manifest.json", "blobs"], what: "save")
            try sys("rename \(out) to", output) { rename(out, output) }
        } catch {
            unlink(out)
            throw error
        }
    }
}
