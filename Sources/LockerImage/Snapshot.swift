import CLockerShim
import Glibc
import LockerSystem

/// A container's root filesystem over an image: an overlay mount of the image's layers
/// (read-only, shared by every container of the image) under the container's own upper
/// directory. Where overlayfs cannot be used (a data root on a filesystem it refuses),
/// the layers are copied into the container's rootfs instead, with a line saying so.
public enum Snapshot {
    /// Returns the mount point to unmount at delete, or nil when the rootfs is a copy.
    public static func make(lowers: [String], bundle: String, rootfs: String) throws -> String? {
        try Files.mkdirAll(bundle + "/upper")
        try Files.mkdirAll(bundle + "/work")
        // overlayfs takes its options in one page: with many layers in one directory, name
        // them relative to it (mount(2) resolves them against the working directory).
        let parent = Files.dirname(lowers[0])
        var lowerList = lowers.joined(separator: ":")
        var moved = false
        if lowerList.utf8.count > 3000, lowers.allSatisfy({ Files.dirname($0) == parent }) {
            lowerList = lowers.map(Files.basename).joined(separator: ":")
            moved = true
        }
        let data = "lowerdir=\(lowerList),upperdir=\(bundle)/upper,workdir=\(bundle)/work"
        guard data.utf8.count < 4000 else {
            throw LockerError("overlay: \(lowers.count) layers do not fit in one mount's options; flatten the image")
        }
        var cwd = [CChar](repeating: 0, count: 4096)
        if moved { _ = getcwd(&cwd, cwd.count); _ = chdir(parent) }
        defer { if moved { _ = chdir(cwd) } }
        do {
            try Mount.mount("overlay", rootfs, type: "overlay", flags: 0, data: data, describe: "overlay on")
            return rootfs
        } catch let e as SystemError where e.errno != ENOENT && getenv("LOCKER_REQUIRE_OVERLAY") == nil {
            try? FD.writeAll(2, "locker: overlayfs cannot be used here (\(e)); copying the image's layers into \(rootfs) instead\n")
            for l in lowers.reversed() { try Flatten.apply(layer: l, onto: rootfs) }
            try? Files.removeTree(bundle + "/upper")
            try? Files.removeTree(bundle + "/work")
            return nil
        }
    }
}

/// Applies one unpacked layer (in overlayfs's form) onto a directory: whiteouts remove,
/// opaque directories replace, everything else is copied with `cp -a`.
enum Flatten {
    static func apply(layer: String, onto dest: String) throws {
        var whiteouts: [String] = []
        try removals(layer, "", dest, &whiteouts)
        let r = try Spawn.run("/bin/cp", args: ["cp", "-a", "--", layer + "/.", dest + "/"], env: ["PATH=/usr/bin:/bin"])
        if r != .exited(0) { throw LockerError("copy layer \(layer) into \(dest): cp failed (\(r))") }
        for w in whiteouts { unlink(dest + "/" + w) }
    }

    static func isWhiteout(_ st: stat) -> Bool {
        (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0
    }

    /// Removes from `dest` what the layer deletes or replaces, before the copy.
    static func removals(_ layer: String, _ rel: String, _ dest: String, _ whiteouts: inout [String]) throws {
        for name in try Files.listDirectory(layer + (rel.isEmpty ? "" : "/" + rel)) {
            let r = rel.isEmpty ? name : rel + "/" + name
            var st = stat(), dt = stat()
            guard lstat(layer + "/" + r, &st) == 0 else { continue }
            let exists = lstat(dest + "/" + r, &dt) == 0
            if name.hasPrefix(".wh.") && (st.st_mode & S_IFMT) == S_IFREG {
                // The OCI form, kept where the store could not hold overlayfs's.
                whiteouts.append(r)
                if name != ".wh..wh..opq" {
                    let hidden = (rel.isEmpty ? "" : rel + "/") + String(name.dropFirst(4))
                    try Files.removeTree(dest + "/" + hidden)
                }
            } else if isWhiteout(st) {
                if exists { try Files.removeTree(dest + "/" + r) }
                whiteouts.append(r)
            } else if (st.st_mode & S_IFMT) == S_IFDIR {
                var v = [UInt8](repeating: 0, count: 2)
                let opaque = (locker_lgetxattr(layer + "/" + r, "trusted.overlay.opaque", &v, 2) == 1 && v[0] == UInt8(ascii: "y"))
                    || Files.exists(layer + "/" + r + "/.wh..wh..opq")
                if exists && (opaque || (dt.st_mode & S_IFMT) != S_IFDIR) { try Files.removeTree(dest + "/" + r) }
                try removals(layer, r, dest, &whiteouts)
            } else if exists && (dt.st_mode & S_IFMT) == S_IFDIR {
                try Files.removeTree(dest + "/" + r)
            }
        }
    }
}
