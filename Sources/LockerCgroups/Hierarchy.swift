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
    public static func discover() -> [Hierarchy] {
        let own = ownCgroups()
        guard let info = try? Files.readString("/proc/self/mountinfo") else { return [] }
        var out: [Hierarchy] = []
        var seen = Set<String>()
        for line in info.split(separator: "\n") {
            // Optional fields end with a lone "-" field. (Splitting on a single character keeps
            // _StringProcessing's searcher, and the conformance scan it triggers, off this path.)
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-") else { continue }
            let pre = fields[..<dash], post = Array(fields[(dash + 1)...])
            guard pre.count > 4, post.count >= 3 else { continue }
            let fstype = post[0]
            let mp = Mount.unescape(String(pre[4]))
            let root = String(pre[3])
            if fstype == "cgroup2" {
                guard root == "/", !seen.contains("2") else { continue }
                seen.insert("2")
                let ctrls = ((try? Files.readString(mp + "/cgroup.controllers")) ?? "").split(separator: " ").map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
                out.append(Hierarchy(mountPoint: mp, isV2: true, controllers: ctrls, ownPath: own[""] ?? "/"))
            } else if fstype == "cgroup" {
                let known = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb",
                             "net_cls", "net_prio", "perf_event", "rdma", "misc"]
                let opts = post[2].split(separator: ",").map(String.init)
                let ctrls = opts.filter { known.contains($0) || $0.hasPrefix("name=") }
                let key = ctrls.sorted().joined(separator: ",")
                guard !ctrls.isEmpty, !seen.contains(key) else { continue }
                seen.insert(key)
                // /proc/self/cgroup names a v1 hierarchy by its controller list in kernel order.
                let ownPath = own.first(where: { Set($0.key.split(separator: ",").map(String.init)) == Set(ctrls) })?.value ?? "/"
                out.append(Hierarchy(mountPoint: mp, isV2: false, controllers: ctrls, ownPath: ownPath))
            }
        }
        return out
    }

    /// /proc/self/cgroup as controller-list → path ("" for cgroup2).
    static func ownCgroups() -> [String: String] {
        var out: [String: String] = [:]
        guard let text = try? Files.readString("/proc/self/cgroup") else { return out }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3 else { continue }
            out[String(f[1])] = String(f[2])
        }
        return out
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\n" || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" { s.removeLast() }
        return String(s)
    }
}
