import Glibc
import LockerSpec
import LockerSystem

/// A container's cgroup: one directory in each mounted hierarchy (v1, v2, or both on a hybrid host).
public struct Cgroup: Sendable {
    public struct Node: Sendable, Equatable {
        public var hierarchy: Hierarchy
        public var path: String
    }
    public var nodes: [Node]

    public init(nodes: [Node]) { self.nodes = nodes }

    /// Where `cgroupsPath` lands in each hierarchy: absolute from the hierarchy's root, relative
    /// from this process's own cgroup there (runc's rule). `systemd`-style `slice:prefix:name`
    /// paths are refused since no systemd driver is offered.
    public static func locate(cgroupsPath: String, hierarchies: [Hierarchy] = Hierarchy.discover()) throws -> Cgroup {
        if cgroupsPath.split(separator: ":").count == 3 && !cgroupsPath.hasPrefix("/") {
            throw LockerError("linux.cgroupsPath \(cgroupsPath.debugDescription) is a systemd path (slice:prefix:name); Locker manages cgroups through cgroupfs only")
        }
        var nodes: [Node] = []
        for h in hierarchies {
            let inner = cgroupsPath.hasBytePrefix("/") ? cgroupsPath : Files.join(h.ownPath, cgroupsPath)
            nodes.append(Node(hierarchy: h, path: Files.clean(Files.join(h.mountPoint, inner))))
        }
        return Cgroup(nodes: nodes)
    }

    public init(paths: [String], hierarchies: [Hierarchy] = Hierarchy.discover()) {
        nodes = paths.compactMap { p in
            hierarchies.first(where: { p.hasBytePrefix($0.mountPoint + "/") || p == $0.mountPoint }).map { Node(hierarchy: $0, path: p) }
        }
    }

    public var paths: [String] { nodes.map { $0.path } }
    public var isPureV2: Bool { nodes.count == 1 && nodes[0].hierarchy.isV2 }
    public func node(for controller: String) -> Node? { nodes.first { $0.hierarchy.has(controller) } }
    /// The cgroup2 node, on a v2 or hybrid host.
    public var v2: Node? { nodes.first { $0.hierarchy.isV2 } }

    /// Creates every directory; returns whether any was new (so delete knows it may remove them).
    @discardableResult
    public func create() throws -> Bool {
        var created = false
        for n in nodes {
            let existed = Files.isDirectory(n.path)
            if n.hierarchy.isV2 { try enableControllers(n) }
            if !existed && Files.isDirectory(n.path) { created = true; continue }
            if existed { continue }
            try makeDirectory(n)
            created = true
        }
        return created
    }

    /// v1 cpuset starts empty in each new directory; fill it from the parent so tasks can join.
    func makeDirectory(_ n: Node) throws {
        let parent = Files.dirname(n.path)
        if !Files.isDirectory(parent) {
            try makeDirectory(Node(hierarchy: n.hierarchy, path: parent))
        }
        if Glibc.mkdir(n.path, 0o755) != 0 && errno != EEXIST { throw SystemError("create cgroup", n.path) }
        if !n.hierarchy.isV2 && n.hierarchy.has("cpuset") {
            for f in ["cpuset.cpus", "cpuset.mems"] {
                let mine = (try? Files.readString(n.path + "/" + f))?.trimmedBytes() ?? ""
                if mine.isEmpty, let p = try? Files.readString(parent + "/" + f) {
                    try Files.writeExisting(n.path + "/" + f, p.trimmedBytes())
                }
            }
        }
    }

    /// On v2 a controller is usable in a child only once every ancestor lists it in subtree_control.
    func enableControllers(_ n: Node) throws {
        let root = n.hierarchy.mountPoint
        let available = n.hierarchy.controllers
        guard !available.isEmpty else { return }
        var dir = root
        let rel = ByteFields.split(Array(n.path.utf8).dropFirst(root.utf8.count), on: UInt8(ascii: "/")).map { $0.text }
        for part in rel {
            let have = ByteFields.split((try? Files.read(dir + "/cgroup.subtree_control")) ?? [], on: UInt8(ascii: " ")).map { ByteFields.trimmed($0).text }
            let missing = available.filter { !have.contains($0) }
            if !missing.isEmpty {
                // Best effort per controller: a host may keep some (cpuset, hugetlb) to itself.
                for c in missing { try? Files.writeExisting(dir + "/cgroup.subtree_control", "+" + c) }
            }
            dir += "/" + part
            if !Files.isDirectory(dir) { if Glibc.mkdir(dir, 0o755) != 0 && errno != EEXIST { throw SystemError("create cgroup", dir) } }
        }
    }

    public func add(pid: Int32) throws {
        for n in nodes {
            try Files.writeExisting(n.path + "/cgroup.procs", NumberText.string(pid))
        }
    }

    /// Moves a process into cgroup directories known by path (exec's case: no need to
    /// discover the hierarchies to write one file in each).
    public static func join(paths: [String], pid: Int32) throws {
        for p in paths { try Files.writeExisting(p + "/cgroup.procs", NumberText.string(pid)) }
    }

    public func pids() -> [Int32] {
        var out = Set<Int32>()
        for n in nodes {
            if let s = try? Files.readString(n.path + "/cgroup.procs") {
                for l in s.split(separator: "\n") { if let p = Int32(l) { out.insert(p) } }
            }
        }
        return out.sorted()
    }

    /// Removes the directories, deepest first. Waits briefly for exiting tasks to leave.
    public func destroy() throws {
        for n in nodes where Files.isDirectory(n.path) {
            var tries = 0
            while Glibc.rmdir(n.path) != 0 {
                let e = errno
                if e == ENOENT { break }
                if e == EBUSY && tries < 200 {
                    tries += 1
                    usleep(5000)
                    continue
                }
                throw SystemError("remove cgroup", n.path, errno: e)
            }
        }
    }

    public var exists: Bool { nodes.contains { Files.isDirectory($0.path) } }
}
