import Glibc

/// A file descriptor that is closed exactly once, when its owner is done with it.
public struct OwnedFD: ~Copyable {
    public let raw: Int32
    public init(_ raw: Int32) { self.raw = raw }
    /// Hands the descriptor to someone else; it will not be closed here.
    public consuming func release() -> Int32 {
        let r = raw
        discard self
        return r
    }
    deinit { _ = Glibc.close(raw) }
}

public enum FD {
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws -> OwnedFD {
        OwnedFD(try sys("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) })
    }
    public static func openAt(_ dir: Int32, _ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws -> OwnedFD {
        OwnedFD(try sys("open", path) { Glibc.openat(dir, path, flags | O_CLOEXEC, mode) })
    }
    public static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], what: String = "write") throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError(what)
            }
            off += n
        }
    }
    public static func writeAll(_ fd: Int32, _ s: String, what: String = "write") throws {
        try writeAll(fd, Array(s.utf8), what: what)
    }

    /// Reads until end of file.
    public static func readAll(_ fd: Int32, what: String = "read") throws -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError(what)
            }
            if n == 0 { return out }
            out.append(contentsOf: buf[0..<n])
        }
    }

    public static func pipe(cloexec: Bool = true) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        try sys("pipe2") { locker_pipe2_wrap(&fds, cloexec ? O_CLOEXEC : 0) }
        return (fds[0], fds[1])
    }
}

import CLockerShim
@inline(__always) func locker_pipe2_wrap(_ fds: inout [Int32], _ flags: Int32) -> Int32 {
    fds.withUnsafeMutableBufferPointer { locker_pipe2($0.baseAddress, flags) }
}
