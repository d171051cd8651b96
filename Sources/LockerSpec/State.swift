/// The OCI state of a container, as `locker state` prints it and hooks read it on stdin.
public struct ContainerState: Codable, Equatable, Sendable {
    public var ociVersion: String
    public var id: String
    public var status: Status
    public var pid: Int32
    public var bundle: String
    public var annotations: [String: String]?
    public init(id: String, status: Status, pid: Int32, bundle: String, annotations: [String: String]?) {
        self.ociVersion = Spec.version; self.id = id; self.status = status; self.pid = pid; self.bundle = bundle
        self.annotations = annotations
    }
    public enum Status: String, Codable, Sendable {
        case creating, created, running, stopped, paused
    }
}

/// What Locker keeps on disk for each container (state.json under the runtime root).
public struct StoredContainer: Codable, Equatable, Sendable {
    public var id: String
    public var pid: Int32
    /// Start time of the init process (clock ticks since boot), so a reused pid is not taken for it.
    public var pidStartTime: UInt64
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    /// cgroup directories created for this container, one per hierarchy, removed at delete.
    public var cgroupPaths: [String]
    /// Whether Locker created the cgroup (and so must remove it) or joined an existing one.
    public var ownsCgroup: Bool
    public var annotations: [String: String]?
    /// Set once `start` has run the process.
    public var started: Bool
    /// Directories Locker made for `locker run IMAGE` (upper layer, bundle) and mounts to undo.
    public var managedBundle: Bool?
    public var rootfsMount: String?
    public var name: String?
    public var image: String?
    public var command: [String]?
    public var namespacePaths: [String: String]?
    /// The hooks that run after create returns (poststart, poststop), kept so start and delete
    /// need not read the bundle again.
    public var hooks: Spec.Hooks?
    /// Where `locker run -d` sends the container's output.
    public var logPath: String?
    public init(id: String, pid: Int32, pidStartTime: UInt64, bundle: String, rootfs: String, created: String,
                owner: String, cgroupPaths: [String], ownsCgroup: Bool, annotations: [String: String]?) {
        self.id = id; self.pid = pid; self.pidStartTime = pidStartTime; self.bundle = bundle; self.rootfs = rootfs
        self.created = created; self.owner = owner; self.cgroupPaths = cgroupPaths; self.ownsCgroup = ownsCgroup
        self.annotations = annotations; self.started = false
    }
}

/// `locker state` output: the OCI state plus what runc adds (rootfs, created, owner).
public struct StateReport: Codable, Equatable, Sendable {
    public var ociVersion: String
    public var id: String
    public var pid: Int32
    public var status: String
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    public var annotations: [String: String]?
    public init(_ c: StoredContainer, status: ContainerState.Status) {
        ociVersion = Spec.version; id = c.id; pid = status == .stopped ? 0 : c.pid; self.status = status.rawValue
        bundle = c.bundle; rootfs = c.rootfs; created = c.created; owner = c.owner; annotations = c.annotations
    }
}
