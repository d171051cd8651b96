import Glibc

/// A failed system call, named by what Locker was doing, the path it touched and the errno:
/// `mount proc on /run/locker/x/rootfs/proc: EPERM (Operation not permitted)`.
public struct SystemError: Error, CustomStringConvertible, Equatable {
    public let operation: String
    public let path: String?
    public let errno: Int32

    public init(_ operation: String, _ path: String? = nil, errno: Int32 = Glibc.errno) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let target = path.map { " \($0)" } ?? ""
        return "\(operation)\(target): \(Errno.name(errno)) (\(String(cString: strerror(errno))))"
    }
}

/// A plain failure that is not a syscall: bad input, a missing file, a refused state change.
public struct LockerError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum Errno {
    static let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO",
        ENXIO: "ENXIO", E2BIG: "E2BIG", ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD",
        EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY",
        EEXIST: "EEXIST", EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR",
        EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE", ENOTTY: "ENOTTY", ETXTBSY: "ETXTBSY",
        EFBIG: "EFBIG", ENOSPC: "ENOSPC", ESPIPE: "ESPIPE", EROFS: "EROFS", EMLINK: "EMLINK",
        EPIPE: "EPIPE", ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS",
        ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP", ENOTSUP: "ENOTSUP", ECONNREFUSED: "ECONNREFUSED",
        EADDRINUSE: "EADDRINUSE", ETIMEDOUT: "ETIMEDOUT", ECANCELED: "ECANCELED",
    ]
    public static func name(_ e: Int32) -> String { names[e] ?? "errno \(e)" }
}

/// Runs a syscall wrapper, retrying on EINTR, and throws a named SystemError on failure.
@discardableResult
@inline(__always)
public func sys(_ operation: @autoclosure () -> String, _ path: @autoclosure () -> String? = nil,
                _ call: () -> Int32) throws -> Int32 {
    while true {
        let r = call()
        if r >= 0 { return r }
        let e = errno
        if e == EINTR { continue }
        throw SystemError(operation(), path(), errno: e)
    }
}
