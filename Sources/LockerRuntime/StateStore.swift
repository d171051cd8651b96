import Glibc
import LockerSpec
import LockerSystem

/// The runtime root: one directory per container holding state.json and, until `start`,
/// the exec fifo. Every change happens under an exclusive flock on the container's directory.
public struct StateStore {
    public let root: String

    public init(root: String) { self.root = root }

    public static func defaultRoot() -> String {
        if getuid() == 0 { return "/run/locker" }
        if let x = getenv("XDG_RUNTIME_DIR") { return String(cString: x) + "/locker" }
        return "/tmp/locker-" + NumberText.string(getuid())
    }

    public func directory(_ id: String) -> String { root + "/" + id }
    public func stateFile(_ id: String) -> String { directory(id) + "/state.json" }
    public func fifo(_ id: String) -> String { directory(id) + "/exec.fifo" }

    /// Claims a new id: mkdir is the atomic test, so two creates of one id cannot both win.
    public func claim(_ id: String) throws -> ContainerLock {
        try Validation.validateID(id)
        try Files.mkdirAll(root, mode: 0o711)
        let dir = directory(id)
        if mkdir(dir, 0o711) != 0 {
            if errno == EEXIST { throw LockerError("container \(id.debugDescription) already exists") }
            throw SystemError("create state directory", dir)
        }
        return try ContainerLock(dir)
    }

    public func lock(_ id: String) throws -> ContainerLock {
        try Validation.validateID(id)
        let dir = directory(id)
        guard Files.exists(stateFile(id)) || Files.isDirectory(dir) else { throw LockerError("container \(id.debugDescription) does not exist") }
        return try ContainerLock(dir)
    }

    public func load(_ id: String) throws -> StoredContainer {
        try Validation.validateID(id)
        let path = stateFile(id)
        guard Files.exists(path) else { throw LockerError("container \(id.debugDescription) does not exist") }
        return try JSON.decode(StoredContainer.self, from: Files.read(path), file: path)
    }

    public func save(_ c: StoredContainer) throws {
        try Files.writeAtomic(stateFile(c.id), JSON.encode(c), mode: 0o600)
    }

    public func remove(_ id: String) throws {
        try Files.removeTree(directory(id))
    }

    public func ids() -> [String] {
        guard let names = try? Files.listDirectory(root) else { return [] }
        return names.filter { Files.exists(stateFile($0)) }
    }
}

/// flock on the container's directory, released when dropped.
public struct ContainerLock: ~Copyable {
    public let fd: Int32
    init(_ dir: String) throws {
        let raw = try FD.open(dir, O_RDONLY | O_DIRECTORY).release()
        do { try sys("lock", dir) { flock(raw, LOCK_EX) } } catch { Glibc.close(raw); throw error }
        fd = raw
    }
    deinit { Glibc.close(fd) }
}
