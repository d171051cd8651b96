import CLockerShim
import Glibc

public enum Mount {
    public static func mount(_ source: String?, _ target: String, type: String?, flags: UInt, data: String? = nil,
                             describe: String? = nil) throws {
        let what = describe ?? "\(type ?? source ?? "none") on"
        try sys("mount \(what)", target) { locker_mount(source, target, type, UInt(flags), data) }
    }
    public static func unmount(_ target: String, detach: Bool = false) throws {
        try sys("umount", target) { locker_umount2(target, detach ? LOCKER_MNT_DETACH : 0) }
    }
    public static func pivotRoot(_ newRoot: String, _ putOld: String) throws {
        try sys("pivot_root", newRoot) { locker_pivot_root(newRoot, putOld) }
    }

    /// The OCI mount option words and what each one sets or clears.
    public struct Options {
        public var flags: UInt = 0
        public var propagation: UInt = 0
        public var clearFlags: UInt = 0
        public var data: [String] = []
        public var isBind: Bool { flags & LOCKER_MS_BIND != 0 }
    }
    public static func parseOptions(_ options: [String]) -> Options {
        var o = Options()
        // Lists, not dictionaries: searched a few times per mount, without the hashing code
        // a Dictionary would fault in for it (see ByteFields).
        let set: [(String, UInt)] = [
            ("ro", LOCKER_MS_RDONLY), ("nosuid", LOCKER_MS_NOSUID), ("nodev", LOCKER_MS_NODEV),
            ("noexec", LOCKER_MS_NOEXEC), ("sync", LOCKER_MS_SYNCHRONOUS), ("remount", LOCKER_MS_REMOUNT),
            ("mand", LOCKER_MS_MANDLOCK), ("dirsync", LOCKER_MS_DIRSYNC), ("noatime", LOCKER_MS_NOATIME),
            ("nodiratime", LOCKER_MS_NODIRATIME), ("bind", LOCKER_MS_BIND), ("rbind", LOCKER_MS_BIND | LOCKER_MS_REC),
            ("relatime", LOCKER_MS_RELATIME), ("strictatime", LOCKER_MS_STRICTATIME), ("silent", LOCKER_MS_SILENT),
            ("lazytime", LOCKER_MS_LAZYTIME),
        ]
        let clear: [(String, UInt)] = [
            ("rw", LOCKER_MS_RDONLY), ("suid", LOCKER_MS_NOSUID), ("dev", LOCKER_MS_NODEV), ("exec", LOCKER_MS_NOEXEC),
            ("async", LOCKER_MS_SYNCHRONOUS), ("nomand", LOCKER_MS_MANDLOCK), ("atime", LOCKER_MS_NOATIME),
            ("diratime", LOCKER_MS_NODIRATIME), ("norelatime", LOCKER_MS_RELATIME), ("nostrictatime", LOCKER_MS_STRICTATIME),
            ("loud", LOCKER_MS_SILENT), ("nolazytime", LOCKER_MS_LAZYTIME),
        ]
        let prop: [(String, UInt)] = [
            ("private", LOCKER_MS_PRIVATE), ("rprivate", LOCKER_MS_PRIVATE | LOCKER_MS_REC),
            ("shared", LOCKER_MS_SHARED), ("rshared", LOCKER_MS_SHARED | LOCKER_MS_REC),
            ("slave", LOCKER_MS_SLAVE), ("rslave", LOCKER_MS_SLAVE | LOCKER_MS_REC),
            ("unbindable", LOCKER_MS_UNBINDABLE), ("runbindable", LOCKER_MS_UNBINDABLE | LOCKER_MS_REC),
        ]
        for opt in options {
            if let f = set.first(where: { $0.0 == opt })?.1 { o.flags |= f; o.clearFlags &= ~f }
            else if let f = clear.first(where: { $0.0 == opt })?.1 { o.flags &= ~f; o.clearFlags |= f }
            else if let p = prop.first(where: { $0.0 == opt })?.1 { o.propagation |= p }
            else if opt == "tmpcopyup" || opt.hasPrefix("idmap") || opt == "rro" || opt == "rrw" { continue }
            else { o.data.append(opt) }
        }
        return o
    }

    /// The space-separated fields of each line of /proc/self/mountinfo (field 4 is the
    /// mount point, escaped; see `unescape`), read byte-wise as ByteFields says why.
    public static func infoFields() -> [[ArraySlice<UInt8>]]? {
        guard let bytes = try? Files.read("/proc/self/mountinfo") else { return nil }
        return ByteFields.split(bytes, on: UInt8(ascii: "\n")).map { ByteFields.split($0, on: UInt8(ascii: " ")) }
    }

    /// Mount points under `prefix`, deepest first, from /proc/self/mountinfo.
    public static func mountPoints(under prefix: String) -> [String] {
        var out: [String] = []
        for fields in infoFields() ?? [] where fields.count > 4 {
            let mp = unescape(fields[4].text)
            if mp == prefix || mp.hasBytePrefix(prefix + "/") { out.append(mp) }
        }
        return out.sorted { $0.utf8.count > $1.utf8.count }
    }
    public static func unescape(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "\\")) else { return s }
        var out = [UInt8]()
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 3 < b.count,
               let v = UInt8(String(decoding: b[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(v); i += 4
            } else { out.append(b[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
