import CLockerShim
import Glibc
import LockerSystem

/// Unpacks one layer (a tar, plain, gzip or zstd) into an empty directory, in the form
/// overlayfs reads as a lower layer: OCI whiteouts (`.wh.NAME`) become 0/0 character
/// devices and opaque markers (`.wh..wh..opq`) the `trusted.overlay.opaque` xattr.
/// Every entry is created through descriptors resolved inside the layer's root, so a
/// symlink in the layer can never lead a later entry out of it; names with `..` or a
/// leading `/` are refused outright.
public enum Unpack {
    public struct Result {
        public var diffID: Digest
        /// Bytes of the uncompressed tar.
        public var size: Int64
        public var skippedDevices: Int
        public var blobDigest: Digest?
        public var entries: Int
    }

    /// With `hashBlob`, the digest of the file as it is (compressed) comes back too.
    public static func layer(blob: String, compression: MediaType.Compression, into dir: String, hashBlob: Bool = false) throws -> Result {
        let fd = try FD.open(blob, O_RDONLY)
        _ = posix_fadvise(fd.raw, 0, 0, POSIX_FADV_SEQUENTIAL)
        let raw = PlainSource(fd: fd.raw, hashing: hashBlob)
        let source: ByteSource
        switch compression {
        case .none: source = raw
        case .gzip: source = try GzipSource(raw)
        case .zstd: source = try ZstdSource(raw)
        }
        return try unpack(source, raw: raw, into: dir)
    }

    static func unpack(_ source: ByteSource, raw: PlainSource?, into dir: String) throws -> Result {
        let stream = LayerStream(source)
        var writer = try LayerWriter(root: dir)
        defer { writer.close() }
        var reader = TarReader(stream)
        while let e = try reader.next() {
            try writer.apply(e, reader: reader)
        }
        try stream.drain()
        try raw?.drain()
        writer.finishDirectories()
        return Result(diffID: stream.digest(), size: stream.total, skippedDevices: writer.skippedDevices,
                      blobDigest: raw?.hasher?.finish(), entries: reader.entries)
    }
}

/// Creates entries inside one root directory.
struct LayerWriter {
    let root: Int32
    let rootPath: String
    var cachedParent: (path: String, fd: Int32)? = nil
    var directoryTimes: [(String, Int64)] = []
    var skippedDevices = 0

    init(root path: String) throws {
        rootPath = path
        root = try sys("open layer directory", path) { open(path, O_PATH | O_DIRECTORY | O_CLOEXEC) }
    }

    mutating func close() {
        if let c = cachedParent { Glibc.close(c.fd) }
        cachedParent = nil
        Glibc.close(root)
    }

    /// `./a/b/` → ["a", "b"]; refuses absolute names and `..`.
    static func components(_ name: String, what: String = "entry") throws -> [String] {
        if name.hasPrefix("/") { throw LockerError("\(what) \(name.debugDescription) is an absolute path; refused") }
        var out: [String] = []
        for p in name.split(separator: "/") where p != "." {
            if p == ".." { throw LockerError("\(what) \(name.debugDescription) leads out of the layer with '..'; refused") }
            out.append(String(p))
        }
        return out
    }

    mutating func parent(_ parts: ArraySlice<String>) throws -> Int32 {
        let path = parts.joined(separator: "/")
        if let c = cachedParent, c.path == path { return c.fd }
        let fd = try InRoot.mkdirAll(root, "/" + path).release()
        if let c = cachedParent { Glibc.close(c.fd) }
        cachedParent = (path, fd)
        return fd
    }

    mutating func forgetParent() {
        if let c = cachedParent { Glibc.close(c.fd) }
        cachedParent = nil
    }

    /// Removes whatever is at `name` in `dir` (an empty directory included), so an entry can take its place.
    func clear(_ dir: Int32, _ name: String) {
        if unlinkat(dir, name, 0) != 0 && errno == EISDIR { _ = unlinkat(dir, name, AT_REMOVEDIR) }
    }

    mutating func apply(_ e: TarEntry, reader: TarReader) throws {
        let parts = try LayerWriter.components(e.name)
        guard let base = parts.last else {
            // The layer's root itself ("./"): its metadata only.
            try reader.skipData(e.size)
            if e.kind == .directory {
                _ = fchownat(root, "", e.uid, e.gid, LOCKER_AT_EMPTY_PATH)
                _ = chmod(rootPath, e.mode)
            }
            return
        }
        let dirParts = parts.dropLast()
        if base.hasPrefix(".wh.") {
            try reader.skipData(e.size)
            let dir = try parent(dirParts)
            if base == ".wh..wh..opq" {
                let d = try InRoot.open(root, "/" + dirParts.joined(separator: "/"), flags: O_RDONLY | O_DIRECTORY)
                let v: [UInt8] = [UInt8(ascii: "y")]
                if locker_fsetxattr(d.raw, "trusted.overlay.opaque", v, 1) != 0 {
                    // A store on a filesystem that keeps no overlay xattrs (overlayfs itself):
                    // keep the OCI marker; such a store is copied, not mounted (Snapshot).
                    guard errno == EPERM || errno == ENOTSUP else { throw SystemError("mark opaque directory", "/" + dirParts.joined(separator: "/")) }
                    try LayerWriter.marker(dir, base, e.name)
                }
            } else if !base.hasPrefix(".wh..wh.") {
                let hidden = String(base.dropFirst(4))
                clear(dir, hidden)
                if mknodat(dir, hidden, S_IFCHR | 0o000, locker_makedev(0, 0)) != 0 {
                    guard errno == EPERM || errno == ENOTSUP else { throw SystemError("whiteout", e.name) }
                    try LayerWriter.marker(dir, base, e.name)
                }
            }
            return
        }
        let dir = try parent(dirParts)
        switch e.kind {
        case .directory:
            try reader.skipData(e.size)
            if mkdirat(dir, base, 0o700) != 0 {
                if errno != EEXIST { throw SystemError("mkdir", e.name) }
                var st = stat()
                if fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) != S_IFDIR {
                    clear(dir, base)
                    if mkdirat(dir, base, 0o700) != 0 { throw SystemError("mkdir", e.name) }
                }
            }
            if fchownat(dir, base, e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0 { throw SystemError("chown", e.name) }
            if fchmodat(dir, base, e.mode, 0) != 0 { throw SystemError("chmod", e.name) }
            for (k, v) in e.xattrs where LayerWriter.allowed(k) {
                let d = try FD.openAt(dir, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
                _ = locker_fsetxattr(d.raw, k, v, v.count)
            }
            directoryTimes.append((parts.joined(separator: "/"), e.mtime))
        case .file:
            // Create; only when something is in the way, remove it and try again.
            var fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 && errno == EEXIST {
                clear(dir, base)
                fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            }
            if fd < 0 { throw SystemError("create", e.name) }
            defer { Glibc.close(fd) }
            try reader.readData(e.size) { chunk in
                var off = 0
                while off < chunk.count {
                    let n = write(fd, chunk.baseAddress! + off, chunk.count - off)
                    if n < 0 { if errno == EINTR { continue }; throw SystemError("write", e.name) }
                    off += n
                }
            }
            if fchown(fd, e.uid, e.gid) != 0 { throw SystemError("chown", e.name) }
            if fchmod(fd, e.mode) != 0 { throw SystemError("chmod", e.name) }
            for (k, v) in e.xattrs where LayerWriter.allowed(k) {
                if locker_fsetxattr(fd, k, v, v.count) != 0 && errno != ENOTSUP { throw SystemError("set xattr \(k) on", e.name) }
            }
            var times = [timespec(tv_sec: Int(e.mtime), tv_nsec: 0), timespec(tv_sec: Int(e.mtime), tv_nsec: 0)]
            _ = futimens(fd, &times)
        case .symlink:
            try reader.skipData(e.size)
            if symlinkat(e.linkName, dir, base) != 0 {
                guard errno == EEXIST else { throw SystemError("symlink", e.name) }
                clear(dir, base)
                if symlinkat(e.linkName, dir, base) != 0 { throw SystemError("symlink", e.name) }
            }
            _ = fchownat(dir, base, e.uid, e.gid, AT_SYMLINK_NOFOLLOW)
            var times = [timespec(tv_sec: Int(e.mtime), tv_nsec: 0), timespec(tv_sec: Int(e.mtime), tv_nsec: 0)]
            _ = utimensat(dir, base, &times, AT_SYMLINK_NOFOLLOW)
            // A directory reached through this name must be looked up again.
            forgetParent()
        case .hardlink:
            try reader.skipData(e.size)
            let target = try LayerWriter.components(e.linkName, what: "hard link target of \(e.name.debugDescription):")
            let t = try InRoot.open(root, "/" + target.joined(separator: "/"), flags: O_PATH | O_NOFOLLOW)
            let dir = try parent(dirParts)
            clear(dir, base)
            if linkat(AT_FDCWD, InRoot.procPath(t.raw), dir, base, AT_SYMLINK_FOLLOW) != 0 {
                throw SystemError("hard link \(e.name) to", e.linkName)
            }
        case .charDevice, .blockDevice, .fifo:
            try reader.skipData(e.size)
            clear(dir, base)
            let type: mode_t = e.kind == .fifo ? S_IFIFO : (e.kind == .charDevice ? S_IFCHR : S_IFBLK)
            if mknodat(dir, base, type | e.mode, locker_makedev(e.devMajor, e.devMinor)) != 0 {
                if errno == EPERM { skippedDevices += 1; return }
                throw SystemError("mknod", e.name)
            }
            _ = fchownat(dir, base, e.uid, e.gid, AT_SYMLINK_NOFOLLOW)
        }
    }

    /// An OCI whiteout kept as the empty file the layer had.
    static func marker(_ dir: Int32, _ name: String, _ path: String) throws {
        let fd = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { throw SystemError("whiteout", path) }
        Glibc.close(fd)
    }

    /// xattrs a layer may set: not `trusted.*`, which overlayfs reads as its own (a layer
    /// could otherwise forge whiteouts or redirects).
    static func allowed(_ name: String) -> Bool { !name.hasPrefix("trusted.") }

    /// Directory times last: creating their entries changed them.
    mutating func finishDirectories() {
        for (path, mtime) in directoryTimes.reversed() {
            guard let fd = try? InRoot.open(root, "/" + path, flags: O_PATH | O_NOFOLLOW) else { continue }
            var times = [timespec(tv_sec: Int(mtime), tv_nsec: 0), timespec(tv_sec: Int(mtime), tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, InRoot.procPath(fd.raw), &times, 0)
        }
    }
}

