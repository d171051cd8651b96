import CLockerShim
import Glibc
import LockerSpec
import LockerSystem

/// /dev inside the container: the standard nodes, the configured devices, and the links
/// programs expect. In a user namespace mknod is refused, so host nodes are bound instead.
enum Devices {
    static let standard: [Spec.Device] = [
        .init(type: "c", path: "/dev/null", major: 1, minor: 3, fileMode: 0o666),
        .init(type: "c", path: "/dev/zero", major: 1, minor: 5, fileMode: 0o666),
        .init(type: "c", path: "/dev/full", major: 1, minor: 7, fileMode: 0o666),
        .init(type: "c", path: "/dev/random", major: 1, minor: 8, fileMode: 0o666),
        .init(type: "c", path: "/dev/urandom", major: 1, minor: 9, fileMode: 0o666),
        .init(type: "c", path: "/dev/tty", major: 5, minor: 0, fileMode: 0o666),
    ]
    static let links: [(String, String)] = [
        ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"), ("/proc/self/fd/1", "/dev/stdout"),
        ("/proc/self/fd/2", "/dev/stderr"), ("pts/ptmx", "/dev/ptmx"),
    ]

    static func populate(root: Int32, extra: [Spec.Device], userNamespace: Bool) throws {
        let configured = extra.map { Files.clean($0.path) }   // a list: see ByteFields on Sets
        try create(standard.filter { !configured.contains($0.path) } + extra, root: root, userNamespace: userNamespace)
        for (target, link) in links {
            let dir = try InRoot.mkdirAll(root, Files.dirname(link))
            if symlinkat(target, dir.raw, Files.basename(link)) != 0 && errno != EEXIST {
                throw SystemError("symlink", link)
            }
        }
    }

    static func create(_ devices: [Spec.Device], root: Int32, userNamespace: Bool) throws {
        let oldMask = umask(0)
        defer { umask(oldMask) }
        for d in devices {
            let path = Files.clean(d.path)
            guard path.hasBytePrefix("/dev/") else { throw LockerError("linux.devices: \(d.path.debugDescription) is not under /dev") }
            let dir = try InRoot.mkdirAll(root, Files.dirname(path))
            let name = Files.basename(path)
            let kind: mode_t
            switch d.type {
            case "c", "u": kind = S_IFCHR
            case "b": kind = S_IFBLK
            case "p": kind = S_IFIFO
            default: throw LockerError("linux.devices: \(d.path): unknown device type \(d.type.debugDescription)")
            }
            let mode = kind | mode_t(d.fileMode ?? 0o666) & 0o7777
            let dev = locker_makedev(UInt32(d.major ?? 0), UInt32(d.minor ?? 0))
            if !userNamespace && mknodat(dir.raw, name, mode, dev) == 0 {
                if let uid = d.uid ?? (d.gid != nil ? 0 : nil) {
                    _ = fchownat(dir.raw, name, uid, d.gid ?? 0, AT_SYMLINK_NOFOLLOW)
                }
                Trace.step("mknod \(path) \(d.type) \(d.major ?? 0):\(d.minor ?? 0)")
                continue
            }
            if errno == EEXIST { continue }
            // In a user namespace: bind the host's node over an empty file.
            let fd = openat(dir.raw, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd < 0 { throw SystemError("create device placeholder", path) }
            close(fd)
            let target = try InRoot.open(root, path)
            Trace.step("bind host \(d.path) on \(path) (no mknod in a user namespace)")
            try Mount.mount(d.path, InRoot.procPath(target.raw), type: nil, flags: LOCKER_MS_BIND, describe: "bind device \(d.path) on", at: path)
        }
    }
}
