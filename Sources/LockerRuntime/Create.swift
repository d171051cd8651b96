import CLockerShim
import Glibc
import LockerCgroups
import LockerSpec
import LockerSystem

public struct CreateOptions {
    public var id: String
    public var bundle: String
    public var consoleSocket: String?
    public var pidFile: String?
    public var preserveFDs: Int32 = 0
    public var noPivot = false
    public var useInit = false
    /// Descriptors to give the container as stdin, stdout, stderr (default: inherit ours).
    public var stdio: (Int32, Int32, Int32)?
    /// Keep the pty master for the caller (foreground `run` with a terminal).
    public var keepConsole = false
    /// Filled in by `locker run IMAGE` for what delete must undo.
    public var decorate: ((inout StoredContainer) -> Void)?
    public init(id: String, bundle: String) { self.id = id; self.bundle = bundle }
}

public struct CreatedContainer {
    public var pid: Int32
    public var consoleMaster: Int32?
}

/// The parent side of create: validate, claim the id, make the cgroup, clone the setup
/// process into its namespaces, answer it, and record the container. Any failure undoes
/// everything it made: the process, the cgroup, the state directory.
public enum Create {
    public static func run(_ opts: CreateOptions, store: StateStore) throws -> CreatedContainer {
        let bundle = Bundle.absolute(opts.bundle)
        Trace.step("read \(bundle)/config.json")
        let spec = try Bundle.load(bundle)
        return try run(opts, spec: spec, bundle: bundle, store: store)
    }

    public static func run(_ opts: CreateOptions, spec: Spec, bundle: String, store: StateStore) throws -> CreatedContainer {
        guard let process = spec.process else { throw LockerError("config.json: process: required to create a container") }
        let id = opts.id
        let rootfs = Bundle.rootfs(spec, bundle: bundle)
        if !Files.isDirectory(rootfs) { throw SystemError("root.path", rootfs, errno: Files.exists(rootfs) ? ENOTDIR : ENOENT) }

        if let sc = spec.linux?.seccomp { try Seccomp.validate(sc) }
        try Labels.validate(spec)
        let lock = try store.claim(id)
        var undo = Undo(store: store, id: id)
        do {
            let result = try build(opts, spec: spec, process: process, bundle: bundle, rootfs: rootfs, store: store, undo: &undo,
                                   lockFD: lock.fd)

            return result
        } catch {
            undo.run()
            throw error
        }
    }

    static func build(_ opts: CreateOptions, spec: Spec, process: Spec.Process, bundle: String, rootfs: String,
                      store: StateStore, undo: inout Undo, lockFD: Int32) throws -> CreatedContainer {
        let id = opts.id
        var newNS: [Namespace] = []   // a list, not a Set: see ByteFields on why the hot path avoids them
        var join: [(Namespace, String)] = []
        for entry in spec.linux?.namespaces ?? [] {
            guard let ns = Namespace(rawValue: entry.type) else { continue }
            if let p = entry.path, !p.isEmpty { join.append((ns, p)) } else if !newNS.contains(ns) { newNS.append(ns) }
        }

        // The cgroup comes first, so limits hold from the process's first page.
        let cgroupsPath = spec.linux?.cgroupsPath ?? "locker/\(id)"
        Trace.step("cgroup \(cgroupsPath)")
        let cgroup = try Cgroup.locate(cgroupsPath: cgroupsPath)
        let madeCgroup = try cgroup.create()
        if madeCgroup { undo.cgroup = cgroup }
        if var r = spec.linux?.resources {
            Trace.step("apply resource limits")
            r.devices = DeviceRules.effective(spec)
            try cgroup.apply(r)
        }

        // Written before the clone so that, should this process be killed from here on,
        // `delete --force` still finds the cgroup to remove.
        var early = StoredContainer(id: id, pid: 0, pidStartTime: 0, bundle: bundle, rootfs: rootfs, created: Clock.rfc3339Now(),
                                    owner: ownerName(), cgroupPaths: cgroup.paths, ownsCgroup: madeCgroup, annotations: spec.annotations)
        opts.decorate?(&early)
        try store.save(early)

        let fifoPath = store.fifo(id)
        try sys("mkfifo", fifoPath) { mkfifo(fifoPath, 0o600) }
        let fifo = try FD.open(fifoPath, O_RDONLY | O_NONBLOCK)
        let (parentEnd, childEnd) = try UnixSocket.pair()
        let parentSock = OwnedFD(parentEnd)

        // pid and time namespaces apply to children only: joined here, before the clone.
        for (ns, path) in join where ns == .pid || ns == .time {
            Trace.step("setns \(ns.rawValue) \(path) (for the child)")
            try ns.join(path: path)
        }
        let hooks = spec.hooks
        let hooksInChild = !(hooks?.prestart ?? []).isEmpty || !(hooks?.createRuntime ?? []).isEmpty
            || !(hooks?.createContainer ?? []).isEmpty || !(hooks?.startContainer ?? []).isEmpty

        let compiled = try spec.linux?.seccomp.map { try Seccomp.compile($0, cacheDir: store.root + "/seccomp-cache") }
        ExecDefaults.make(spec, compiled: compiled).save(store, id)
        let plan = InitPlan(spec: spec, process: process, rootfs: rootfs, sync: SyncChannel(fd: childEnd), fifoFD: fifo.raw,
                            newNamespaces: newNS, joinNamespaces: join.filter { $0.0 != .pid && $0.0 != .time },
                            stdio: opts.stdio, preserveFDs: opts.preserveFDs, noPivot: opts.noPivot,
                            useInit: opts.useInit, hooksNeeded: hooksInChild, closeInChild: [lockFD], cgroupPaths: cgroup.paths,
                            seccomp: compiled)

        var flags: UInt = 0
        for ns in newNS where ns != .cgroup { flags |= ns.cloneFlag }
        Trace.step("clone with \(newNS.map(\.rawValue).sorted().joined(separator: ","))")
        let pid = Int32(locker_clone(flags))
        if pid < 0 { throw SystemError("clone container process") }
        if pid == 0 {
            close(parentEnd)
            ContainerInit.main(plan)
        }
        close(childEnd)
        undo.pid = pid
        if Trace.enabled {
            for ns in newNS.sorted(by: { $0.rawValue < $1.rawValue }) where ns != .cgroup {
                let mine = Files.readlink("/proc/\(pid)/ns/\(ns.procName)") ?? "?"
                let host = Files.readlink("/proc/self/ns/\(ns.procName)") ?? "?"
                Trace.step("namespace \(ns.rawValue): \(mine) (host: \(host))")
            }
        }
        let sync = SyncChannel(fd: parentSock.raw)

        if newNS.contains(.user) {
            try IDMaps.write(pid: pid, uid: spec.linux?.uidMappings ?? [], gid: spec.linux?.gidMappings ?? [])
        }
        Trace.step("join cgroup: write \(pid) to cgroup.procs")
        try cgroup.add(pid: pid)
        try sync.send(.go)

        var master: Int32? = nil
        let state = ContainerState(id: id, status: .creating, pid: pid, bundle: bundle, annotations: spec.annotations)
        loop: while true {
            switch try sync.receive() {
            case .console(let fd):
                if let path = opts.consoleSocket {
                    Trace.step("send the pty master to \(path)")
                    let sock = try UnixSocket.connect(path)
                    try UnixSocket.sendFD(sock.raw, fd, message: "/dev/ptmx")
                    close(fd)
                } else if opts.keepConsole {
                    master = fd
                } else {
                    close(fd)
                    throw LockerError("process.terminal is true but no --console-socket was given")
                }
            case .runHooks:
                try Hooks.run(hooks?.prestart ?? [], kind: "prestart", state: state)
                try Hooks.run(hooks?.createRuntime ?? [], kind: "createRuntime", state: state)
                var created = state
                created.status = .created
                try sync.send(.hooksDone(JSON.encodeString(created)))
            case .seccompFD(let fd):
                defer { close(fd) }
                guard let path = spec.linux?.seccomp?.listenerPath else { continue }
                try SeccompNotify.send(fd, to: path, metadata: spec.linux?.seccomp?.listenerMetadata,
                                       stateJSON: JSON.encode(ContainerState(id: id, status: .creating, pid: pid, bundle: bundle, annotations: spec.annotations)),
                                       pid: pid)
            case .ready:
                break loop
            case .error(let text):
                _ = Proc.poll(pid) ?? (try? Proc.wait(pid))
                undo.pid = nil
                throw LockerError(text)
            case .closed:
                let how = (try? Proc.wait(pid)).map { "\($0)" } ?? "unknown"
                undo.pid = nil
                throw LockerError("container process exited during setup (\(how))")
            case .go, .hooksDone:
                throw LockerError("unexpected message from the container's setup process")
            }
        }

        var stored = StoredContainer(id: id, pid: pid, pidStartTime: Proc.startTime(pid) ?? 0, bundle: bundle, rootfs: rootfs,
                                     created: Clock.rfc3339Now(), owner: ownerName(), cgroupPaths: cgroup.paths,
                                     ownsCgroup: madeCgroup, annotations: spec.annotations)
        if !(hooks?.poststart ?? []).isEmpty || !(hooks?.poststop ?? []).isEmpty {
            var kept = Spec.Hooks()
            kept.poststart = hooks?.poststart
            kept.poststop = hooks?.poststop
            stored.hooks = kept
        }
        opts.decorate?(&stored)
        try store.save(stored)
        if let pf = opts.pidFile {
            try Files.writeAtomic(Bundle.absolute(pf), Array(NumberText.string(pid).utf8))
        }
        Trace.step("created: pid \(pid), waiting on the exec fifo")
        undo.disarm()
        return CreatedContainer(pid: pid, consoleMaster: master)
    }

    /// The caller's name from the host's /etc/passwd, read directly: the binary is static,
    /// and glibc's NSS (getpwuid) would load shared libraries at run time.
    static func ownerName() -> String {
        let uid = NumberText.string(getuid())
        if let bytes = try? Files.read("/etc/passwd") {
            // NAME:PASSWORD:UID:... (the password field may be empty).
            for line in ByteFields.split(bytes, on: UInt8(ascii: "\n")) {
                let f = ByteFields.split(line, on: UInt8(ascii: ":"), keepEmpty: true)
                if f.count > 2, f[2].text == uid { return f[0].text }
            }
        }
        return uid
    }

    /// What a failed create has made so far, taken down in reverse.
    struct Undo {
        let store: StateStore
        let id: String
        var pid: Int32?
        var cgroup: Cgroup?
        var armed = true
        mutating func disarm() { armed = false }
        func run() {
            guard armed else { return }
            if let pid {
                kill(pid, SIGKILL)
                _ = try? Proc.wait(pid)
            }
            if let cgroup {
                cgroup.signalAll(SIGKILL)
                try? cgroup.destroy()
            }
            try? store.remove(id)
        }
    }
}

/// uid_map and gid_map for a new user namespace, written by the parent while the child waits.
enum IDMaps {
    static func write(pid: Int32, uid: [Spec.IDMapping], gid: [Spec.IDMapping]) throws {
        func text(_ m: [Spec.IDMapping]) -> String { m.map { "\($0.containerID) \($0.hostID) \($0.size)" }.joined(separator: "\n") }
        if uid.isEmpty || gid.isEmpty { throw LockerError("a new user namespace needs linux.uidMappings and linux.gidMappings") }
        Trace.step("write uid_map \(text(uid).replacingNewlines()) and gid_map \(text(gid).replacingNewlines())")
        try Files.writeExisting("/proc/\(pid)/uid_map", text(uid))
        try Files.writeExisting("/proc/\(pid)/gid_map", text(gid))
    }
}

extension String {
    func replacingNewlines() -> String { String(map { $0 == "\n" ? ";" : $0 }) }
}
