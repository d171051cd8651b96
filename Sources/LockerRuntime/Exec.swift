import CLockerShim
import Glibc
import LockerCgroups
import LockerSpec
import LockerSystem

public struct ExecOptions {
    public var id: String
    public var process: Spec.Process
    public var consoleSocket: String?
    public var pidFile: String?
    public var preserveFDs: Int32 = 0
    public var ignorePaused = false
    /// Keep the pty master for the caller (foreground exec with a terminal).
    public var keepConsole = false
    /// The container's defaults, when the caller has already loaded them.
    public var defaults: ExecDefaults?
    public init(id: String, process: Spec.Process) { self.id = id; self.process = process }
}

/// `exec`: a new process in a running container. It joins every namespace the container
/// has of its own and its cgroup, and gets the same confinement as the container's first
/// process: rlimits, labels, user, capabilities, no_new_privs, seccomp.
public enum Exec {
    /// The container's config, for what exec inherits (seccomp, the default env).
    public static func containerSpec(_ c: StoredContainer) throws -> Spec {
        let bytes = try Files.read(Files.join(c.bundle, "config.json"))
        return try JSON.decode(Spec.self, from: bytes, file: Files.join(c.bundle, "config.json"))
    }

    public static func run(_ o: ExecOptions, store: StateStore) throws -> CreatedContainer {
        let c = try store.load(o.id)
        let st = Lifecycle.status(c, store: store)
        if st == .stopped { throw LockerError("cannot exec in a stopped container") }
        if st == .paused && !o.ignorePaused { throw LockerError("cannot exec in a paused container (use --ignore-paused)") }
        guard o.process.args?.isEmpty == false else { throw LockerError("exec: give a command (or -p process.json with args)") }
        let defaults = try o.defaults ?? ExecDefaults.load(c, store: store)

        // The namespaces the container has of its own, user first.
        var join: [(Namespace, String)] = []
        for ns in [Namespace.user, .mount, .pid, .network, .ipc, .uts, .cgroup, .time] {
            let theirs = "/proc/" + NumberText.string(c.pid) + "/ns/" + ns.procName
            guard let t = Files.readlink(theirs), t != Files.readlink("/proc/self/ns/" + ns.procName) else { continue }
            join.append((ns, theirs))
        }
        // Opened now, while the container's process surely is the one we checked.
        var nsFDs: [(Namespace, Int32)] = []
        for (ns, path) in join {
            nsFDs.append((ns, try sys("open namespace", path) { open(path, O_RDONLY | O_CLOEXEC) }))
        }
        defer { for (_, fd) in nsFDs { close(fd) } }
        if let pidNS = nsFDs.first(where: { $0.0 == .pid }) {
            Trace.step("setns pid \(join.first { $0.0 == .pid }!.1) (for the exec'd child)")
            try sys("setns pid namespace") { locker_setns(pidNS.1, Int32(LOCKER_CLONE_NEWPID)) }
        }
        let compiled = try defaults.seccomp()
        let (parentEnd, childEnd) = try UnixSocket.pair()
        let parentSock = OwnedFD(parentEnd)
        let pid = Int32(locker_clone(0))
        if pid < 0 { throw SystemError("clone exec process") }
        if pid == 0 {
            close(parentEnd)
            ExecChild.main(o, seccomp: compiled, namespaces: nsFDs.filter { $0.0 != .pid }, sync: SyncChannel(fd: childEnd))
        }
        close(childEnd)
        let sync = SyncChannel(fd: parentSock.raw)
        do {
            if !c.cgroupPaths.isEmpty {
                Trace.step("join the container's cgroup: write \(pid) to cgroup.procs")
                try Cgroup.join(paths: c.cgroupPaths, pid: pid)
            }
            try sync.send(.go)
            var master: Int32? = nil
            loop: while true {
                switch try sync.receive() {
                case .console(let fd):
                    if let path = o.consoleSocket {
                        let sock = try UnixSocket.connect(path)
                        try UnixSocket.sendFD(sock.raw, fd, message: "/dev/ptmx")
                        close(fd)
                    } else if o.keepConsole { master = fd } else { close(fd) }
                case .seccompFD(let fd):
                    defer { close(fd) }
                    if let path = defaults.listenerPath {
                        try SeccompNotify.send(fd, to: path, metadata: defaults.listenerMetadata,
                                               stateJSON: JSON.encode(ContainerState(id: c.id, status: .running, pid: c.pid, bundle: c.bundle, annotations: c.annotations)),
                                               pid: pid)
                    }
                case .ready: break loop
                case .error(let text):
                    _ = try? Proc.wait(pid)
                    throw LockerError(text)
                case .closed:
                    _ = try? Proc.wait(pid)
                    throw LockerError("exec process exited during setup")
                default:
                    throw LockerError("unexpected message from the exec process")
                }
            }
            if let pf = o.pidFile { try Files.writeAtomic(Bundle.absolute(pf), Array(NumberText.string(pid).utf8)) }
            return CreatedContainer(pid: pid, consoleMaster: master)
        } catch {
            kill(pid, SIGKILL)
            _ = try? Proc.wait(pid)
            throw error
        }
    }
}

enum ExecChild {
    static func main(_ o: ExecOptions, seccomp: Seccomp.Compiled?, namespaces: [(Namespace, Int32)], sync: SyncChannel) -> Never {
        do {
            try setUp(o, seccomp: seccomp, namespaces: namespaces, sync: sync)
        } catch {
            try? sync.send(.error("\(error)"))
            _exit(1)
        }
        _exit(1)
    }

    static func setUp(_ o: ExecOptions, seccomp: Seccomp.Compiled?, namespaces: [(Namespace, Int32)], sync: SyncChannel) throws {
        Signals.resetAll()
        try Prctl.setDumpable(false)
        try Prctl.setParentDeathSignal(SIGKILL)
        try sync.expect(.go, while: "waiting for the cgroup")
        for (ns, fd) in namespaces {
            Trace.step("setns \(ns.rawValue)")
            try sys("setns \(ns.rawValue) namespace") { locker_setns(fd, Int32(ns.cloneFlag)) }
        }
        let p = o.process
        let userNS = namespaces.contains { $0.0 == .user }
        if userNS {
            try sys("setresgid 0 in user namespace") { locker_setresgid(0, 0, 0) }
            try sys("setresuid 0 in user namespace") { locker_setresuid(0, 0, 0) }
        }
        var consoleSlave: Int32 = -1
        if p.terminal == true {
            let (master, slave) = try Terminal.openPair(ptmx: "/dev/pts/ptmx")
            if let s = p.consoleSize { Terminal.setWindowSize(slave, rows: s.height, cols: s.width) }
            try sync.send(.console(master))
            close(master)
            consoleSlave = slave
        }
        let (program, args, env) = try Confinement.apply(p, seccomp: seccomp, consoleSlave: consoleSlave, userNamespace: userNS,
                                                         preserveFDs: o.preserveFDs, sync: sync)
        ContainerInit.exec(program, args, env)
    }
}
