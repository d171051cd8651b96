import Glibc
import LockerSpec
import LockerSystem

/// `locker inspect ID`: a container seen from the host's side: its process, its namespaces
/// next to the host's, its mounts, its id maps and its cgroups.
public struct Inspection: Codable {
    public struct NamespaceView: Codable {
        public var type: String
        public var container: String
        public var host: String
        public var shared: Bool
    }
    public var id: String
    public var name: String?
    public var status: String
    public var hostPid: Int32
    public var bundle: String
    public var rootfs: String
    public var image: String?
    public var command: [String]?
    public var created: String
    public var namespaces: [NamespaceView]
    public var uidMap: [String]
    public var gidMap: [String]
    public var cgroups: [String]
    public var mounts: [String]

    public static func of(_ id: String, store: StateStore) throws -> Inspection {
        let c = try store.load(id)
        let st = Lifecycle.status(c, store: store)
        let live = st != .stopped
        var ns: [NamespaceView] = []
        var uid: [String] = [], gid: [String] = [], mounts: [String] = []
        if live {
            for n in Namespace.allCases {
                guard let mine = Files.readlink("/proc/\(c.pid)/ns/\(n.procName)") else { continue }
                let host = Files.readlink("/proc/self/ns/\(n.procName)") ?? "?"
                ns.append(NamespaceView(type: n.rawValue, container: mine, host: host, shared: mine == host))
            }
            func lines(_ p: String) -> [String] {
                ((try? Files.readString(p)) ?? "").split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            }
            uid = lines("/proc/\(c.pid)/uid_map")
            gid = lines("/proc/\(c.pid)/gid_map")
            for l in lines("/proc/\(c.pid)/mountinfo") {
                let parts = l.split(separator: " - ", maxSplits: 1)
                let pre = parts[0].split(separator: " ")
                let post = parts.count > 1 ? parts[1].split(separator: " ") : []
                guard pre.count > 5, post.count > 1 else { continue }
                mounts.append("\(pre[4]) \(post[0]) \(post[1]) \(pre[5])")
            }
        }
        return Inspection(id: c.id, name: c.name, status: st.rawValue, hostPid: live ? c.pid : 0, bundle: c.bundle, rootfs: c.rootfs,
                          image: c.image, command: c.command, created: c.created, namespaces: ns, uidMap: uid, gidMap: gid,
                          cgroups: c.cgroupPaths, mounts: mounts)
    }
}
