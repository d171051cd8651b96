import Glibc
import LockerSystem

/// The conversation between `locker create` and the container's setup process, over a
/// SOCK_SEQPACKET pair so each message arrives whole. The setup process reports progress
/// and errors; the parent answers when it has done its part (id maps, cgroup, hooks).
public struct SyncChannel {
    public let fd: Int32

    public enum Message: Equatable {
        case go                     // parent → child: maps written, cgroup joined
        case runHooks               // child → parent: mounts ready, run createRuntime hooks now
        case hooksDone(String)      // parent → child, with the state JSON for the container-side hooks
        case console(Int32)         // child → parent: the pty master
        case seccompFD(Int32)       // child → parent: the seccomp notify descriptor, for the listener
        case ready                  // child → parent: set up, waiting on the exec fifo
        case error(String)          // either way: what failed
        case closed                 // the other side went away
    }

    public func send(_ m: Message) throws {
        switch m {
        case .go: try UnixSocket.sendFD(fd, -1, message: "go")
        case .runHooks: try UnixSocket.sendFD(fd, -1, message: "hooks")
        case .hooksDone(let state): try UnixSocket.sendFD(fd, -1, message: "hooks-done " + state)
        case .console(let master): try UnixSocket.sendFD(fd, master, message: "console")
        case .seccompFD(let n): try UnixSocket.sendFD(fd, n, message: "seccomp")
        case .ready: try UnixSocket.sendFD(fd, -1, message: "ready")
        case .error(let text): try UnixSocket.sendFD(fd, -1, message: "error " + text)
        case .closed: break
        }
    }

    public func receive() throws -> Message {
        let (passed, text) = try UnixSocket.receiveFD(fd)
        switch text {
        case "": return .closed
        case "go": return .go
        case "hooks": return .runHooks
        case "ready": return .ready
        case "console":
            guard let p = passed else { throw LockerError("container setup sent a console message without a descriptor") }
            return .console(p)
        case "seccomp":
            guard let p = passed else { throw LockerError("container setup sent a seccomp message without a descriptor") }
            return .seccompFD(p)
        default:
            if text.hasPrefix("error ") { return .error(String(text.dropFirst(6))) }
            if text.hasPrefix("hooks-done ") { return .hooksDone(String(text.dropFirst(11))) }
            throw LockerError("unexpected message from container setup: \(text.debugDescription)")
        }
    }

    /// Waits for one message and fails unless it is the one expected.
    public func expect(_ want: Message, while doing: String) throws {
        let got = try receive()
        if got == want { return }
        if case .error(let e) = got { throw LockerError(e) }
        throw LockerError("\(doing): the other side of the container's setup went away")
    }
}
