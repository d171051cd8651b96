import Glibc
import LockerSpec
import LockerSystem

/// `locker pull`: resolve the reference to one manifest (through an index for this
/// platform), fetch the config and the layers (several at once, each checked against its
/// digest, resumed where an earlier pull stopped), unpack each layer once, then record the
/// image. Nothing is recorded until every layer is in place.
public struct Pull {
    public struct Options {
        public var platform = Platform.host
        public var quiet = false
        public var insecureRegistries: [String] = []
        /// Downloads at once.
        public var parallel = 3
        public init() {}
    }

    let store: ImageStore
    let options: Options
    let progress: Progress

    public init(store: ImageStore, options: Options) {
        self.store = store
        self.options = options
        progress = Progress(quiet: options.quiet)
    }

    @discardableResult
    public func run(_ text: String) throws -> ImageStore.Record {
        let ref = try Reference(text)
        try store.prepare()
        let insecure = ref.isLoopback() || options.insecureRegistries.contains(ref.registry)
        let reg = Registry(host: ref.apiHost, repository: ref.repository, credentials: store.credentials.lookup(ref.registry),
                           insecure: insecure, scratch: store.incomingDir)
        try reg.connect()
        let what = "image \(ref)"

        // The manifest, through an index when the tag names several platforms.
        var target = ref.digest.map { $0.description } ?? (ref.tag ?? "latest")
        var resp = try reg.getDocument("/v2/\(ref.repository)/manifests/\(target)", accept: MediaType.accept, what: what)
        var digest = try Pull.check(resp.body, against: ref.digest, what: what)
        var type = Pull.mediaType(resp)
        if MediaType.indexes.contains(type) {
            let index = try JSON.decode(Index.self, from: resp.body, file: "\(what): index")
            let chosen = try index.select(options.platform)
            progress.line("\(ref): \(options.platform.description) is \(chosen.digest.short)")
            target = chosen.digest.description
            resp = try reg.getDocument("/v2/\(ref.repository)/manifests/\(target)", accept: MediaType.manifests, what: what)
            digest = try Pull.check(resp.body, against: chosen.digest, what: what)
            type = Pull.mediaType(resp)
        }
        guard MediaType.manifests.contains(type) else {
            throw LockerError("\(what): unsupported manifest type \(type.debugDescription) (Docker schema 1 images are not supported)")
        }
        let manifest = try JSON.decode(Manifest.self, from: resp.body, file: "\(what): manifest")
        let manifestBytes = resp.body

        // The config: small, fetched whole and checked.
        let cfgPath = store.blob(manifest.config.digest)
        if !Files.exists(cfgPath) {
            let c = try reg.getDocument("/v2/\(ref.repository)/blobs/\(manifest.config.digest)", accept: [], what: "\(what): config")
            guard Digest.of(c.body) == manifest.config.digest else {
                throw LockerError("\(what): config: digest mismatch: expected \(manifest.config.digest), got \(Digest.of(c.body))")
            }
            _ = try store.writeBlob(c.body)
        }
        let config = try JSON.decode(ImageConfig.self, from: Files.read(cfgPath), file: "\(what): config")
        guard config.rootfs.diff_ids.count == manifest.layers.count else {
            throw LockerError("\(what): the config lists \(config.rootfs.diff_ids.count) layers, the manifest \(manifest.layers.count)")
        }
        for l in manifest.layers where MediaType.compression(l.mediaType) == nil {
            throw LockerError("\(what): layer \(l.digest.short): unsupported media type \(l.mediaType)")
        }

        // Layers: download what is neither unpacked nor stored, then unpack in order.
        let needed = zip(manifest.layers, config.rootfs.diff_ids).filter { !store.hasLayer($0.1) && !Files.exists(store.blob($0.0.digest)) }.map(\.0)
        try download(needed, registry: reg, what: what)
        var total: Int64 = 0
        for (i, (l, diff)) in zip(manifest.layers, config.rootfs.diff_ids).enumerated() {
            let layerWhat = "\(what): layer \(i + 1)/\(manifest.layers.count) \(l.digest)"
            if store.hasLayer(diff) {
                progress.line("\(l.digest.short): already unpacked")
                total += store.layerSize(diff)
                continue
            }
            progress.line("\(l.digest.short): unpacking")
            let t0 = Pull.seconds()
            let size = try store.unpack(blob: store.blob(l.digest), compression: MediaType.compression(l.mediaType)!,
                                        expect: diff, what: layerWhat).size
            let t = Pull.seconds() - t0
            total += size
            progress.line("\(l.digest.short): unpacked \(ByteCount.text(size)) in \(Pull.fixed(t, 3)) s (\(ByteCount.text(Int64(Double(size) / max(t, 0.001))))/s)")
        }

        _ = try store.writeBlob(manifestBytes)
        let record = ImageStore.Record(id: manifest.config.digest, tags: [], manifest: digest, manifestMediaType: type,
                                       repoDigests: [ref.name + "@" + digest.description], layers: config.rootfs.diff_ids,
                                       layerBlobs: manifest.layers, created: config.created, size: total, pulled: nil)
        try store.commit(record, tag: ref.tag.map { ref.name + ":" + $0 })
        progress.line("\(ref): pulled \(manifest.config.digest.short) (\(manifest.layers.count) layers)")
        return store.find(manifest.config.digest.hex) ?? record
    }

    static func seconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    static func fixed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int((v * scale).rounded())
        let whole = n / Int(scale), frac = n % Int(scale)
        return "\(whole)." + String(frac).leftPad(digits)
    }

    static func mediaType(_ resp: HTTPResponse) -> String {
        struct Probe: Codable { var mediaType: String?; var manifests: [Descriptor]? }
        let header = resp.header("Content-Type").map { String($0.split(separator: ";")[0]).trimmingCharacters() }
        if let h = header, MediaType.accept.contains(h) { return h }
        if let p = try? JSON.decode(Probe.self, from: resp.body, file: "manifest") {
            if let t = p.mediaType { return t }
            if p.manifests != nil { return MediaType.ociIndex }
        }
        return header ?? MediaType.ociManifest
    }

    /// The digest of a manifest body, which must equal the one asked for (if any).
    static func check(_ body: [UInt8], against want: Digest?, what: String) throws -> Digest {
        let got = Digest.of(body)
        if let w = want, w != got { throw LockerError("\(what): manifest digest mismatch: expected \(w), got \(got)") }
        return got
    }

    /// Downloads blobs into the store, `parallel` at a time; a cut or stalled transfer is
    /// resumed once in the same pull, and a later pull resumes whatever is left.
    func download(_ layers: [Descriptor], registry: Registry, what: String) throws {
        var queue = layers[...]
        var running: [(Descriptor, HTTP.Running, Int)] = []
        var failure: Error? = nil
        func startNext() throws {
            while running.count < options.parallel, let l = queue.popFirst() {
                if let r = try begin(l, registry: registry) { running.append((l, r, 0)) }
            }
        }
        try startNext()
        var ticks = 0
        while !running.isEmpty {
            // Progress from the partial files' sizes while curl works.
            var status: [(String, Int64, Int64)] = []
            var finished: Int? = nil
            for (i, r) in running.enumerated() {
                var st = stat()
                let have = stat(r.1.output, &st) == 0 ? Int64(st.st_size) : 0
                status.append((r.0.digest.short, have, r.0.size))
                if finished == nil, r.1.done() { finished = i }
            }
            if ticks % 5 == 0 { progress.bars(status) }
            ticks += 1
            guard let i = finished else { usleep(100_000); continue }
            let (l, run, attempt) = running.remove(at: i)
            let layerWhat = "\(what): layer \(l.digest)"
            do {
                let resp = try HTTP.finish(run)
                try Registry.check(resp, what: layerWhat)
                try store.adopt(run.output, as: l.digest, what: layerWhat)
                progress.line("\(l.digest.short): downloaded \(ByteCount.text(l.size))")
            } catch let e as TransferError where e.isTransient && attempt == 0 {
                progress.line("\(l.digest.short): \(e); resuming")
                running.append((l, try registry.startBlob(l.digest, into: run.output), attempt + 1))
            } catch let e as TransferError where e.code == 33 && attempt == 0 {
                // The server does not do ranges: start over.
                unlink(run.output)
                running.append((l, try registry.startBlob(l.digest, into: run.output), attempt + 1))
            } catch {
                failure = failure ?? LockerError("\(layerWhat): \(error)")
            }
            if failure == nil { try startNext() }
        }
        progress.finishBars()
        if let f = failure { throw f }
    }

    /// Starts a layer's download; nil when an earlier, complete download only needed checking.
    func begin(_ l: Descriptor, registry: Registry) throws -> HTTP.Running? {
        let partial = store.incomingDir + "/" + l.digest.hex + ".partial"
        var st = stat()
        if stat(partial, &st) == 0 && Int64(st.st_size) >= l.size {
            // Complete already (or too long): check it rather than ask for more.
            if (try? store.adopt(partial, as: l.digest, what: "layer")) != nil {
                progress.line("\(l.digest.short): downloaded earlier")
                return nil
            }
        }
        progress.line("\(l.digest.short): downloading \(ByteCount.text(l.size))" + (Files.exists(partial) ? " (resuming at \(ByteCount.text(Int64(st.st_size))))" : ""))
        return try registry.startBlob(l.digest, into: partial)
    }
}
