import Glibc

/// An exclusive flock(2) on a file, held until the value is dropped.
public struct FileLock: ~Copyable {
    let fd: Int32
    public init(_ path: String) throws {
        let raw = try FD.open(path, O_RDWR | O_CREAT, 0o600).release()
        do { try sys("lock", path) { flock(raw, LOCK_EX) } } catch { Glibc.close(raw); throw error }
        fd = raw
    }
    deinit { Glibc.close(fd) }
}
