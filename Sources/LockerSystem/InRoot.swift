import CLockerShim
import Glibc

/// Paths a container or an image controls are resolved inside its root: openat2 with
/// RESOLVE_IN_ROOT treats every symlink and `..` as if the root were `/`, so nothing
/// can point out of it, and the O_PATH descriptor it returns is what gets mounted on.
public enum InRoot {
    public static func open(_ root: Int32, _ path: String, flags: Int32 = O_PATH, mode: mode_t = 0) throws -> OwnedFD {
        let rel = relative(path)
        let fd = try sys("open \(path) in root") {
            locker_openat2(root, rel, UInt64(flags | O_CLOEXEC), UInt64(mode), LOCKER_RESOLVE_IN_ROOT | LOCKER_RESOLVE_NO_MAGICLINKS)
        }
        return OwnedFD(fd)
    }

    /// Creates every missing directory of `path` inside the root and returns an O_PATH
    /// descriptor of the last one. Each prefix is resolved inside the root again, so a symlink
    /// met on the way is followed as if the root were `/`; mkdirat never follows one.
    public static func mkdirAll(_ root: Int32, _ path: String, mode: mode_t = 0o755, depth: Int = 0) throws -> OwnedFD {
        if let fd = try? open(root, path, flags: O_PATH | O_DIRECTORY) { return fd }
        if depth > 40 { throw SystemError("mkdir", path, errno: ELOOP) }
        var prefix = ""
        var current = try open(root, "/", flags: O_PATH | O_DIRECTORY)
        for part in relative(path).split(separator: "/") where part != "." {
            prefix += "/" + part
            if let next = try? open(root, prefix, flags: O_PATH | O_DIRECTORY) {
                current = next
                continue
            }
            if mkdirat(current.raw, String(part), mode) != 0 && errno != EEXIST {
                throw SystemError("mkdir", prefix)
            }
            // A dangling symlink: make its target, read as if the root were `/`.
            var buf = [CChar](repeating: 0, count: 4097)
            let n = readlinkat(current.raw, String(part), &buf, 4096)
            if n > 0 {
                buf[n] = 0
                let target = String(cString: buf)
                let inside = target.hasPrefix("/") ? target : Files.dirname(prefix) + "/" + target
                _ = try mkdirAll(root, inside, mode: mode, depth: depth + 1)
            }
            current = try open(root, prefix, flags: O_PATH | O_DIRECTORY)
        }
        return current
    }

    /// Makes sure `path` exists inside the root as a regular file (a bind-mount target for a
    /// file source) and returns an O_PATH descriptor of it.
    public static func touch(_ root: Int32, _ path: String) throws -> OwnedFD {
        if let fd = try? open(root, path, flags: O_PATH) { return fd }
        let parent = try mkdirAll(root, Files.dirname(clean(path)))
        let name = Files.basename(clean(path))
        let fd = openat(parent.raw, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o644)
        if fd < 0 && errno != EEXIST { throw SystemError("create", path) }
        if fd >= 0 { Glibc.close(fd) }
        return try open(root, path, flags: O_PATH)
    }

    public static func relative(_ path: String) -> String {
        // Byte-wise, as ByteFields says why.
        let r = Array(clean(path).utf8).drop(while: { $0 == UInt8(ascii: "/") })
        return r.isEmpty ? "." : String(decoding: r, as: UTF8.self)
    }
    static func clean(_ path: String) -> String { Files.clean(path.hasBytePrefix("/") ? path : "/" + path) }

    /// The path that names an O_PATH descriptor for mount(2) and friends.
    public static func procPath(_ fd: Int32) -> String { "/proc/self/fd/" + NumberText.string(fd) }
}
