import CLockerShim
import Glibc

/// The namespace kinds by their OCI names, with clone flags and /proc/PID/ns names.
public enum Namespace: String, CaseIterable, Sendable {
    case pid, network, mount, ipc, uts, user, cgroup, time

    public var cloneFlag: UInt {
        switch self {
        case .pid: return LOCKER_CLONE_NEWPID
        case .network: return LOCKER_CLONE_NEWNET
        case .mount: return LOCKER_CLONE_NEWNS
        case .ipc: return LOCKER_CLONE_NEWIPC
        case .uts: return LOCKER_CLONE_NEWUTS
        case .user: return LOCKER_CLONE_NEWUSER
        case .cgroup: return LOCKER_CLONE_NEWCGROUP
        case .time: return LOCKER_CLONE_NEWTIME
        }
    }
    /// The name under /proc/PID/ns/.
    public var procName: String {
        switch self {
        case .network: return "net"
        case .mount: return "mnt"
        default: return rawValue
        }
    }
    /// Joins the namespace at `path` (a /proc/PID/ns/* file or a bind mount of one).
    public func join(path: String) throws {
        let fd = try FD.open(path, O_RDONLY)
        try sys("setns \(rawValue) namespace", path) { locker_setns(fd.raw, Int32(cloneFlag)) }
    }
    public static func unshare(_ flags: UInt) throws {
        try sys("unshare") { locker_unshare(Int32(flags)) }
    }
}
