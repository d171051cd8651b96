import Glibc
import LockerCgroups
import LockerSpec
import LockerSystem

/// pause, resume, update and stats of a running container, through its cgroup.
public enum Control {
    static func running(_ id: String, store: StateStore) throws -> (StoredContainer, Cgroup, ContainerState.Status) {
        let c = try store.load(id)
        let st = Lifecycle.status(c, store: store)
        if st == .stopped { throw LockerError("container \(id) is not running") }
        let cg = Cgroup(paths: c.cgroupPaths)
        if cg.nodes.isEmpty { throw LockerError("container \(id) has no cgroup") }
        return (c, cg, st)
    }

    public static func pause(_ id: String, store: StateStore) throws {
        let lock = try store.lock(id)
        let (_, cg, st) = try running(id, store: store)
        if st == .paused { throw LockerError("container \(id) is already paused") }
        if st == .created { throw LockerError("container \(id) is not running: created") }
        Trace.step("freeze the cgroup")
        try cg.freeze(true)
        _ = lock
    }

    public static func resume(_ id: String, store: StateStore) throws {
        let lock = try store.lock(id)
        let (_, cg, st) = try running(id, store: store)
        if st != .paused { throw LockerError("container \(id) is not paused") }
        Trace.step("thaw the cgroup")
        try cg.freeze(false)
        _ = lock
    }

    public static func update(_ id: String, resources: Resources, store: StateStore) throws {
        let lock = try store.lock(id)
        let (_, cg, _) = try running(id, store: store)
        try cg.apply(resources)
        _ = lock
    }

    public static func stats(_ id: String, store: StateStore) throws -> CgroupStats {
        let (_, cg, _) = try running(id, store: store)
        return cg.stats()
    }
}
