import Glibc
import LockerSpec
import LockerSystem

/// `--userns=auto` and `--uidmap/--gidmap`: the container's root becomes an unprivileged
/// host id. Auto ranges of 65536 ids are reserved by creating a file with O_EXCL, so two
/// containers never share a range; delete gives it back.
public enum UserNamespace {
    public static let autoBase: UInt32 = 1_000_000
    public static let autoSize: UInt32 = 65536
    public static let autoSlots = 1000

    public static func mappings(userns: String?, uidmap: [String], gidmap: [String], id: String, dataRoot: String) throws
        -> (uid: [Spec.IDMapping], gid: [Spec.IDMapping])? {
        if !uidmap.isEmpty || !gidmap.isEmpty {
            let u = try uidmap.map(parse)
            let g = try (gidmap.isEmpty ? uidmap : gidmap).map(parse)
            return (u, g)
        }
        guard let mode = userns, !mode.isEmpty, mode != "host" else { return nil }
        guard mode == "auto" || mode.hasPrefix("auto:") else { throw LockerError("--userns \(mode.debugDescription): use auto, host, or --uidmap/--gidmap") }
        let base = try reserve(id: id, dataRoot: dataRoot)
        let m = [Spec.IDMapping(containerID: 0, hostID: base, size: autoSize)]
        return (m, m)
    }

    /// `CONTAINER:HOST:SIZE`
    static func parse(_ s: String) throws -> Spec.IDMapping {
        let p = s.split(separator: ":").compactMap { UInt32($0) }
        guard p.count == 3, p[2] > 0 else { throw LockerError("id map \(s.debugDescription): expected CONTAINER:HOST:SIZE") }
        return .init(containerID: p[0], hostID: p[1], size: p[2])
    }

    static func reserve(id: String, dataRoot: String) throws -> UInt32 {
        let dir = dataRoot + "/userns"
        try Files.mkdirAll(dir, mode: 0o700)
        for slot in 0..<autoSlots {
            let path = dir + "/\(slot)"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                try? FD.writeAll(fd, id)
                close(fd)
                return autoBase + UInt32(slot) * autoSize
            }
            // A slot whose container is gone is free again.
            if let owner = try? Files.readString(path), !Files.isDirectory(dataRoot + "/containers/" + owner) {
                unlink(path)
                let again = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                if again >= 0 { try? FD.writeAll(again, id); close(again); return autoBase + UInt32(slot) * autoSize }
            }
        }
        throw LockerError("--userns=auto: all \(autoSlots) id ranges are in use")
    }

    public static func release(base: UInt32, dataRoot: String) {
        guard base >= autoBase else { return }
        let slot = (base - autoBase) / autoSize
        unlink(dataRoot + "/userns/\(slot)")
    }
}
