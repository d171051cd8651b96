import Glibc
import LockerSystem

/// SCMP_ACT_NOTIFY: the notify descriptor goes to the listener at `listenerPath` over a unix
/// socket, with the container's process state as JSON in runc's shape.
enum SeccompNotify {
    static func send(_ fd: Int32, to path: String, metadata: String?, stateJSON: [UInt8], pid: Int32) throws {
        let sock = try UnixSocket.connect(path)
        let state = stateJSON.isEmpty ? "{}" : String(decoding: stateJSON, as: UTF8.self)
        let meta = "\"" + (metadata ?? "").flatMap { $0 == "\"" || $0 == "\\" ? ["\\", $0] : [$0] } + "\""
        let msg = "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":\(pid),\"metadata\":\(meta),\"state\":\(state)}"
        Trace.step("seccomp: send the notify descriptor to \(path)")
        try UnixSocket.sendFD(sock.raw, fd, message: msg)
    }
}

