import Glibc
import LockerSystem

/// One mounted cgroup hierarchy: a v1 hierarchy with its controllers, or the cgroup2 tree.
public struct Hierarchy: Equatable, Sendable {
    public var mountPoint: String
    public var isV2: Bool
    /// v1: the controllers bound to this hierarchy (`memory`, `cpu`, `cpuacct`, `name=systemd`).
    /// v2: the controllers enabled at its root.
    public var controllers: [String]
    /// This process's own cgroup in the hierarchy, from /proc/self/cgroup.
    public var ownPath: String

    public func has(_ controller: String) -> Bool { controllers.contains(controller) }

    /// Every hierarchy mounted in this mount namespace, with this process's place in it.
    /// A pure v2 host gives one; a hybrid host gives each v1 hierarchy and the cgroup2 mount.
    /// (Parsed byte by byte, with lists rather than sets and dictionaries: every create,
    /// delete and run calls this, and the standard library's Character, Set and Dictionary
    /// code would each fault in pages of the executable for it; see ByteFields.)
    public static func discover() -> [Hierarchy] {
        let own = ownCgroups()
        guard let info = Mount.infoFields() else { return [] }
        var out: [Hierarchy] = []
        var seenV2 = false
        for fields in info {
            // Optional fields end with a lone "-" field.
            guard let dash = fields.firstIndex(where: { $0.count == 1 && $0.first == UInt8(ascii: "-") }) else { continue }
            let pre = fields[..<dash], post = Array(fields[(dash + 1)...])
            guard pre.count > 4, post.count >= 3 else { continue }
            let fstype = post[0].text
            let mp = Mount.unescape(pre[pre.startIndex + 4].text)
            let root = pre[pre.startIndex + 3].text
            if fstype == "cgroup2" {
                guard root == "/", !seenV2 else { continue }
                seenV2 = true
                let ctrls = ByteFields.split((try? Files.read(mp + "/cgroup.controllers")) ?? [], on: UInt8(ascii: " "))
                    .map { ByteFields.trimmed($0).text }.filter { !$0.isEmpty }
                out.append(Hierarchy(mountPoint: mp, isV2: true, controllers: ctrls, ownPath: own.first { $0.controllers.isEmpty }?.path ?? "/"))
            } else if fstype == "cgroup" {
                let known = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb",
                             "net_cls", "net_prio", "perf_event", "rdma", "misc"]
                let opts = ByteFields.split(post[2], on: UInt8(ascii: ",")).map { $0.text }
                let ctrls = opts.filter { known.contains($0) || $0.hasBytePrefix("name=") }
                guard !ctrls.isEmpty, !out.contains(where: { !$0.isV2 && sameMembers($0.controllers, ctrls) }) else { continue }
                // /proc/self/cgroup names a v1 hierarchy by its controller list in kernel order.
                let ownPath = own.first { sameMembers($0.controllers, ctrls) }?.path ?? "/"
                out.append(Hierarchy(mountPoint: mp, isV2: false, controllers: ctrls, ownPath: ownPath))
            }
        }
        return out
    }

    /// Whether two controller lists hold the same names, in any order.
    static func sameMembers(_ a: [String], _ b: [String]) -> Bool {
        a.count == b.count && a.allSatisfy { b.contains($0) }
    }

    /// /proc/self/cgroup: each hierarchy's controller list (empty for cgroup2) and path.
    static func ownCgroups() -> [(controllers: [String], path: String)] {
        var out: [(controllers: [String], path: String)] = []
        guard let bytes = try? Files.read("/proc/self/cgroup") else { return out }
        for line in ByteFields.split(bytes, on: UInt8(ascii: "\n")) {
            // ID:CONTROLLERS:PATH, where PATH may itself hold colons.
            guard let c1 = line.firstIndex(of: UInt8(ascii: ":")),
                  let c2 = line[(c1 + 1)...].firstIndex(of: UInt8(ascii: ":")) else { continue }
            let controllers = ByteFields.split(line[(c1 + 1)..<c2], on: UInt8(ascii: ",")).map { $0.text }
            out.append((controllers, line[(c2 + 1)...].text))
        }
        return out
    }
}
