import CLockerShim
import Glibc
import LockerSpec
import LockerSystem

/// Everything the container's first process needs to set itself up, decided by the parent
/// before the clone so the child only acts.
struct InitPlan {
    var spec: Spec
    var process: Spec.Process
    var rootfs: String
    var sync: SyncChannel
    /// The exec fifo's read end (opened non-blocking by the parent): the setup process waits for
    /// `start` to write a byte into it. Reading needs no path and no privilege after the user change.
    var fifoFD: Int32
    var newNamespaces: [Namespace]
    var joinNamespaces: [(Namespace, String)]
    var stdio: (Int32, Int32, Int32)?
    var preserveFDs: Int32
    var noPivot: Bool
    var useInit: Bool
    var hooksNeeded: Bool
    /// The parent's descriptors the child must not keep: the container lock above all, since
    /// a flock lives as long as any copy of its descriptor.
    var closeInChild: [Int32] = []
    /// The container's cgroup directories on the host, for bind mounts of its own cgroup.
    var cgroupPaths: [String] = []
    /// The seccomp filter, compiled by the parent.
    var seccomp: Seccomp.Compiled? = nil
}

/// The child side of create: runs inside the new namespaces, on a private copy of the
/// parent's memory, single-threaded. It never returns: it execs the user's process or exits.
enum ContainerInit {
    static func main(_ plan: InitPlan) -> Never {
        do {
            try setUp(plan)
        } catch {
            try? plan.sync.send(.error("\(error)"))
            _exit(1)
        }
        _exit(1)
    }

    static func setUp(_ plan: InitPlan) throws {
        let spec = plan.spec
        for fd in plan.closeInChild { close(fd) }
        Signals.resetAll()
        // Until the user's process runs, nothing in the container may ptrace this process or
        // open /proc/PID/exe (the runtime's binary); execve makes it dumpable again.
        try Prctl.setDumpable(false)
        try Prctl.setParentDeathSignal(SIGKILL)
        if let (i, o, e) = plan.stdio {
            for (from, to) in [(i, Int32(0)), (o, 1), (e, 2)] where from != to {
                try sys("dup stdio") { locker_dup3(from, to, 0) }
            }
        }

        // Joining comes first, user namespace before the others it owns.
        for (ns, path) in plan.joinNamespaces.sorted(by: { a, _ in a.0 == .user }) {
            Trace.step("setns \(ns.rawValue) \(path)")
            try ns.join(path: path)
        }
        // The parent moves this process into the container's cgroup meanwhile (a slow write on
        // cgroup v1 after a quiet spell): mounts go ahead and only the cgroup mount waits for it.
        // In a user namespace nothing goes ahead before the id maps are written.
        let cgroupJoin = CgroupJoin(sync: plan.sync, unshareNamespace: plan.newNamespaces.contains(.cgroup))
        if plan.newNamespaces.contains(.user) || plan.joinNamespaces.contains(where: { $0.0 == .user }) {
            try cgroupJoin.wait()
            try sys("setresgid 0 in user namespace") { locker_setresgid(0, 0, 0) }
            try sys("setresuid 0 in user namespace") { locker_setresuid(0, 0, 0) }
        }
        if plan.newNamespaces.contains(.network) {
            Trace.step("bring loopback up")
            try sys("bring up loopback interface lo") { locker_loopback_up() }
        }

        let userNS = plan.newNamespaces.contains(.user) || plan.joinNamespaces.contains(where: { $0.0 == .user })
        // A mount namespace of its own, new or joined by path, gets the full rootfs setup.
        let hasMountNS = plan.newNamespaces.contains(.mount) || plan.joinNamespaces.contains { $0.0 == .mount }
        let root = Rootfs(spec: spec, rootfs: plan.rootfs, userNamespace: userNS, cgroupNamespace: plan.newNamespaces.contains(.cgroup),
                          cgroupPaths: plan.cgroupPaths)
        var consoleSlave: Int32 = -1
        var stateJSON: [UInt8] = []
        if hasMountNS {
            try root.prepare()
            let rootFD = try FD.open(plan.rootfs, O_PATH | O_DIRECTORY)
            try root.mountAll(root: rootFD.raw, beforeCgroupMount: cgroupJoin.wait)
            if plan.process.terminal == true {
                consoleSlave = try openConsole(root: rootFD.raw, sync: plan.sync, size: plan.process.consoleSize)
            }
        } else if plan.process.terminal == true {
            consoleSlave = try openConsole(root: nil, sync: plan.sync, size: plan.process.consoleSize)
        }
        try cgroupJoin.wait()
        if plan.hooksNeeded {
            try plan.sync.send(.runHooks)
            let reply = try plan.sync.receive()
            guard case .hooksDone(let json) = reply else {
                if case .error(let e) = reply { throw LockerError(e) }
                throw LockerError("running createRuntime hooks: the runtime went away")
            }
            stateJSON = Array(json.utf8)
            try Hooks.run(spec.hooks?.createContainer ?? [], kind: "createContainer", input: stateJSON)
        }
        if hasMountNS {
            if plan.noPivot { try root.moveRoot() } else { try root.pivot() }
        } else {
            try root.chrootOnly()
        }
        if plan.newNamespaces.contains(.uts) || plan.joinNamespaces.contains(where: { $0.0 == .uts }) {
            if let h = spec.hostname, !h.isEmpty {
                Trace.step("sethostname \(h)")
                try sys("sethostname \(h)") { locker_sethostname(h, h.utf8.count) }
            }
            if let d = spec.domainname, !d.isEmpty {
                try sys("setdomainname \(d)") { locker_setdomainname(d, d.utf8.count) }
            }
        }
        for (k, v) in (spec.linux?.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "/proc/sys/" + k.replacingDots()
            Trace.step("sysctl \(k)=\(v)")
            do { try Files.writeExisting(path, v) } catch let e as SystemError {
                throw LockerError("linux.sysctl \(k)=\(v): \(e)")
            }
        }
        if hasMountNS { try root.finish() }

        let (program, args, env) = try Confinement.apply(plan.process, seccomp: plan.seccomp, consoleSlave: consoleSlave,
                                                         userNamespace: userNS, preserveFDs: plan.preserveFDs, sync: plan.sync)

        // Block until `start` writes into the fifo. poll waits for the first writer; a read of 0
        // bytes means one came and went without starting us.
        var pfd = pollfd(fd: plan.fifoFD, events: Int16(POLLIN), revents: 0)
        while poll(&pfd, 1, -1) < 0 && errno == EINTR {}
        var byte: UInt8 = 0
        if read(plan.fifoFD, &byte, 1) != 1 { _exit(1) }
        // The read end stays open (close-on-exec): `start` learns of the exec when it closes.

        if let hooks = spec.hooks?.startContainer, !hooks.isEmpty {
            do { try Hooks.run(hooks, kind: "startContainer", input: stateJSON) } catch { fail("\(error)") }
        }

        if plan.useInit {
            MiniInit.run(program: program, args: args, env: env, closeAfterFork: plan.fifoFD)
        }
        exec(program, args, env)
    }

    static func exec(_ program: String, _ args: [String], _ env: [String]) -> Never {
        Trace.step("exec \(([program] + args.dropFirst()).joined(separator: " ")) as uid \(getuid()) gid \(getgid())")
        let argv = args.map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        execve(program, argv, envp)
        fail("exec \(program): \(Errno.name(errno)) (\(String(cString: strerror(errno))))")
    }

    /// After the parent has gone there is no one to report to but the container's stderr.
    static func fail(_ message: String) -> Never {
        let line = "locker: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        _exit(127)
    }

    /// Opens a pty on the container's own devpts, hands the master to the parent, binds the
    /// slave over /dev/console, and returns the slave for stdio.
    static func openConsole(root: Int32?, sync: SyncChannel, size: Spec.ConsoleSize?) throws -> Int32 {
        let master: Int32, slave: Int32
        if let root {
            let ptmx = try InRoot.open(root, "/dev/pts/ptmx", flags: O_PATH)
            (master, slave) = try Terminal.openPair(ptmx: InRoot.procPath(ptmx.raw))
        } else {
            (master, slave) = try Terminal.openPair()
        }
        if let s = size { Terminal.setWindowSize(slave, rows: s.height, cols: s.width) }
        if let root {
            let console = try InRoot.touch(root, "/dev/console")
            Trace.step("bind the pty over /dev/console")
            try Mount.mount(InRoot.procPath(slave), InRoot.procPath(console.raw), type: nil, flags: LOCKER_MS_BIND,
                            describe: "bind pty on", at: "/dev/console")
        }
        try sync.send(.console(master))
        close(master)
        return slave
    }
}

extension String {
    /// sysctl names use dots for path separators (net.ipv4.ip_forward → net/ipv4/ip_forward).
    func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}

/// Waits, once, for the parent's word that this process is in the container's cgroup, then
/// makes the cgroup namespace (so the container sees its own cgroup as the root).
final class CgroupJoin {
    let sync: SyncChannel
    let unshareNamespace: Bool
    var done = false
    init(sync: SyncChannel, unshareNamespace: Bool) { self.sync = sync; self.unshareNamespace = unshareNamespace }

    func wait() throws {
        guard !done else { return }
        done = true
        try sync.expect(.go, while: "waiting for the id maps and cgroup")
        if unshareNamespace {
            Trace.step("unshare cgroup namespace (after joining the container's cgroup)")
            try Namespace.unshare(LOCKER_CLONE_NEWCGROUP)
            Trace.step("namespace cgroup: \(Files.readlink("/proc/self/ns/cgroup") ?? "?")")
        }
    }
}
