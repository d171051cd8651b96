import Glibc

/// Whole-file reads and writes, directory helpers and atomic replacement.
public enum Files {
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = try FD.open(path, O_RDONLY)
        return try FD.readAll(fd.raw, what: "read \(path)")
    }
    public static func readString(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }
    /// Writes without truncating or creating: the shape cgroup and /proc files want.
    public static func writeExisting(_ path: String, _ s: String) throws {
        let fd = try sys("open", path) { Glibc.open(path, O_WRONLY | O_CLOEXEC) }
        defer { Glibc.close(fd) }
        let bytes = Array(s.utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if n < 0 { throw SystemError("write \(s.debugDescription) to", path) }
    }
    public static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let fd = try FD.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        try FD.writeAll(fd.raw, bytes, what: "write \(path)")
    }
    /// Temp file, fsync, rename: readers see the old content or the new, never half.
    public static func writeAtomic(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let tmp = path + ".tmp." + NumberText.string(getpid())
        do {
            let fd = try FD.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
            try FD.writeAll(fd.raw, bytes, what: "write \(tmp)")
            try sys("fsync", tmp) { fsync(fd.raw) }
            try sys("rename \(tmp) to", path) { rename(tmp, path) }
        } catch {
            unlink(tmp)
            throw error
        }
    }
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
    public static func mkdirAll(_ path: String, mode: mode_t = 0o755) throws {
        if path.isEmpty || path == "/" { return }
        if Glibc.mkdir(path, mode) == 0 { return }
        let e = errno
        if e == EEXIST {
            if isDirectory(path) { return }
            throw SystemError("mkdir", path, errno: ENOTDIR)
        }
        if e != ENOENT { throw SystemError("mkdir", path, errno: e) }
        let parent = dirname(path)
        try mkdirAll(parent, mode: mode)
        if Glibc.mkdir(path, mode) != 0 && errno != EEXIST { throw SystemError("mkdir", path) }
    }
    public static func dirname(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        return i == path.startIndex ? "/" : String(path[..<i])
    }
    public static func basename(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: i)...])
    }
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let d = opendir(path) else { throw SystemError("opendir", path) }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }
    /// Removes a tree without following symlinks and without crossing into mounts' contents
    /// (a mount point below returns EBUSY and the error names it).
    public static func removeTree(_ path: String) throws {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw SystemError("lstat", path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try listDirectory(path) { try removeTree(path + "/" + name) }
            try sys("rmdir", path) { rmdir(path) }
        } else {
            try sys("unlink", path) { unlink(path) }
        }
    }
    public static func readlink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = Glibc.readlink(path, &buf, 4096)
        if n < 0 { return nil }
        buf[n] = 0
        return String(cString: buf)
    }
    /// Joins path components lexically (no filesystem access).
    public static func join(_ a: String, _ b: String) -> String {
        // Byte-wise, as ByteFields says why.
        let slashA = a.utf8.last == UInt8(ascii: "/")
        if b.hasBytePrefix("/") {
            return slashA ? a + String(decoding: Array(b.utf8).dropFirst(), as: UTF8.self) : a + b
        }
        return slashA ? a + b : a + "/" + b
    }
    /// Lexically cleans a path: removes `.`, empty parts, and resolves `..` without going above `/`.
    /// (Byte-wise, as ByteFields says why.)
    public static func clean(_ path: String) -> String {
        let bytes = Array(path.utf8)
        var parts: [ArraySlice<UInt8>] = []
        for p in ByteFields.split(bytes, on: UInt8(ascii: "/")) {
            if p.count == 1 && p.first == UInt8(ascii: ".") { continue }
            if p.count == 2 && p.allSatisfy({ $0 == UInt8(ascii: ".") }) { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1)
        for p in parts {
            if !out.isEmpty || bytes.first == UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
            out.append(contentsOf: p)
        }
        if out.isEmpty { return bytes.first == UInt8(ascii: "/") ? "/" : "." }
        return String(decoding: out, as: UTF8.self)
    }
}
