import Glibc
import LockerSpec
import LockerSystem

/// `--user name[:group]` resolved against the container's own /etc/passwd and /etc/group,
/// read through the root (a symlink in the image cannot point at the host's files).
public enum Passwd {
    public struct Resolved: Equatable {
        public var uid: UInt32
        public var gid: UInt32
        public var additionalGids: [UInt32]
        public var home: String
    }

    static func readInRoot(_ rootfs: String, _ path: String) -> String? {
        guard let root = try? FD.open(rootfs, O_PATH | O_DIRECTORY),
              let fd = try? InRoot.open(root.raw, path, flags: O_RDONLY),
              let bytes = try? FD.readAll(fd.raw) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func resolve(_ spec: String, rootfs: String) throws -> Resolved {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts[0]
        let groupPart = parts.count > 1 ? parts[1] : nil
        let passwd = (readInRoot(rootfs, "/etc/passwd") ?? "").split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
        let groups = (readInRoot(rootfs, "/etc/group") ?? "").split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }

        var uid: UInt32
        var gid: UInt32 = 0
        var home = "/"
        var name: String? = nil
        if let n = UInt32(userPart) {
            uid = n
            if let e = passwd.first(where: { $0.count >= 7 && $0[2] == userPart }) {
                gid = UInt32(e[3]) ?? 0; home = e[5]; name = e[0]
            }
        } else {
            guard let e = passwd.first(where: { $0.count >= 7 && $0[0] == userPart }), let u = UInt32(e[2]) else {
                throw LockerError("unable to find user \(userPart): no matching entries in passwd file")
            }
            uid = u; gid = UInt32(e[3]) ?? 0; home = e[5]; name = e[0]
        }
        if let g = groupPart {
            if let n = UInt32(g) { gid = n } else {
                guard let e = groups.first(where: { $0.count >= 3 && $0[0] == g }), let n = UInt32(e[2]) else {
                    throw LockerError("unable to find group \(g): no matching entries in group file")
                }
                gid = n
            }
        }
        var extra: [UInt32] = []
        if let name {
            for e in groups where e.count >= 4 {
                let members = e[3].split(separator: ",").map(String.init)
                if members.contains(name), let n = UInt32(e[2]), n != gid, !extra.contains(n) { extra.append(n) }
            }
        }
        return Resolved(uid: uid, gid: gid, additionalGids: extra, home: home)
    }
}
