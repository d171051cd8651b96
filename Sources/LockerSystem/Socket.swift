import CLockerShim
import Glibc

/// Unix sockets: pairs for talking to the container's setup process, and descriptor passing.
public enum UnixSocket {
    /// A connected pair that keeps message boundaries (SOCK_SEQPACKET).
    public static func pair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        try sys("socketpair") { socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        return (fds[0], fds[1])
    }
    public static func connect(_ path: String) throws -> OwnedFD {
        let fd = OwnedFD(try sys("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) })
        var addr = try address(path)
        try sys("connect to", path) {
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd.raw, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        return fd
    }
    public static func listen(_ path: String) throws -> OwnedFD {
        let fd = OwnedFD(try sys("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) })
        var addr = try address(path)
        unlink(path)
        try sys("bind", path) {
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd.raw, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        try sys("listen", path) { Glibc.listen(fd.raw, 8) }
        return fd
    }
    static func address(_ path: String) throws -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw SystemError("socket path", path, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return addr
    }
    public static func sendFD(_ sock: Int32, _ fd: Int32, message: String = "") throws {
        let bytes = Array(message.utf8)
        try sys("send descriptor") { bytes.withUnsafeBytes { locker_send_fd(sock, fd, $0.baseAddress, bytes.count) } }
    }
    /// Receives a message and, if one came with it, a descriptor.
    public static func receiveFD(_ sock: Int32) throws -> (fd: Int32?, message: String) {
        var buf = [UInt8](repeating: 0, count: 65536)
        var got = 0
        let fd = buf.withUnsafeMutableBytes { locker_recv_fd(sock, $0.baseAddress, $0.count, &got) }
        if fd == -2 { throw SystemError("receive descriptor") }
        return (fd >= 0 ? fd : nil, String(decoding: buf[0..<max(0, got)], as: UTF8.self))
    }
}
