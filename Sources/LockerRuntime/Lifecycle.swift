import Glibc
import LockerCgroups
import LockerSpec
import LockerSystem

/// start, state, kill, delete: each its own short process, reading the container from disk.
public enum Lifecycle {
    public static func status(_ c: StoredContainer, store: StateStore) -> ContainerState.Status {
        if !Proc.isRunning(c.pid, startTime: c.pidStartTime) { return .stopped }
        if Files.exists(store.fifo(c.id)) { return .created }
        if let freezer = c.cgroupPaths.first(where: { $0.includes("/freezer/") }) {
            let s = (try? Files.readString(freezer + "/freezer.state")) ?? ""
            if s.hasPrefix("FROZEN") || s.hasPrefix("FREEZING") { return .paused }
        } else if let v2 = c.cgroupPaths.first(where: { Files.exists($0 + "/cgroup.freeze") }) {
            if ((try? Files.readString(v2 + "/cgroup.freeze")) ?? "").hasPrefix("1") { return .paused }
        }
        return .running
    }

    public static func state(_ id: String, store: StateStore) throws -> StateReport {
        let c = try store.load(id)
        return StateReport(c, status: status(c, store: store))
    }

    /// Opens the exec fifo: the waiting setup process then execs the user's program.
    public static func start(_ id: String, store: StateStore) throws {
        let lock = try store.lock(id)
        var c = try store.load(id)
        let st = status(c, store: store)
        guard st == .created else {
            if st == .stopped { throw LockerError("cannot start a container that has stopped") }
            throw LockerError("cannot start an already \(st.rawValue) container")
        }
        let fifoPath = store.fifo(id)
        Trace.step("write to the exec fifo: the container's process may exec")
        // Non-blocking: with no reader (the process died) the open fails at once with ENXIO.
        let fd = open(fifoPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            unlink(fifoPath)
            if e == ENXIO { throw LockerError("cannot start container \(id): its process has exited") }
            throw SystemError("open exec fifo", fifoPath, errno: e)
        }
        let wrote = write(fd, "0", 1)
        unlink(fifoPath)
        guard wrote == 1 else { close(fd); throw SystemError("write exec fifo", fifoPath) }
        // The process keeps the read end until execve closes it: the write end then reports
        // POLLERR. Waiting for that keeps poststart after startContainer and the exec.
        var pfd = pollfd(fd: fd, events: 0, revents: 0)
        while Proc.isRunning(c.pid, startTime: c.pidStartTime) {
            if poll(&pfd, 1, 100) > 0 && pfd.revents & Int16(POLLERR | POLLHUP) != 0 { break }
        }
        close(fd)
        c.started = true
        try store.save(c)
        if let hooks = c.hooks?.poststart, !hooks.isEmpty {
            let state = ContainerState(id: id, status: .running, pid: c.pid, bundle: c.bundle, annotations: c.annotations)
            do { try Hooks.run(hooks, kind: "poststart", state: state) } catch {
                warn("\(error)")
            }
        }
        _ = lock
    }

    public static func kill(_ id: String, signal sig: Int32, all: Bool, store: StateStore) throws {
        let c = try store.load(id)
        let st = status(c, store: store)
        if st == .stopped && !all { throw LockerError("container \(id) is not running") }
        if all {
            let cg = Cgroup(paths: c.cgroupPaths)
            if cg.nodes.isEmpty { throw LockerError("kill --all: container \(id) has no cgroup") }
            Trace.step("send \(Signals.name(sig)) to every process in the cgroup")
            cg.signalAll(sig)
            return
        }
        Trace.step("send \(Signals.name(sig)) to pid \(c.pid)")
        try sys("kill \(c.pid) with \(Signals.name(sig))") { Glibc.kill(c.pid, sig) }
    }

    public static func delete(_ id: String, force: Bool, store: StateStore) throws {
        try Validation.validateID(id)
        let dir = store.directory(id)
        if !Files.exists(store.stateFile(id)) {
            // A create that died before writing state may leave its directory behind.
            if force && Files.isDirectory(dir) { try store.remove(id); return }
            throw LockerError("container \(id.debugDescription) does not exist")
        }
        let lock = try store.lock(id)
        let c = try store.load(id)
        let st = status(c, store: store)
        if st != .stopped && st != .created && !force {
            throw LockerError("cannot delete container \(id) that is not stopped: \(st.rawValue)")
        }
        let cg = Cgroup(paths: c.cgroupPaths)
        if st != .stopped {
            Trace.step("kill the container's processes")
            if !cg.nodes.isEmpty { cg.signalAll(SIGKILL) } else { Glibc.kill(c.pid, SIGKILL) }
            for _ in 0..<2000 {
                if !Proc.isRunning(c.pid, startTime: c.pidStartTime) { break }
                usleep(1000)
            }
        }
        if c.ownsCgroup {
            // Anything still in the cgroup (a forked child that outlived init) goes too.
            if !cg.pids().isEmpty { cg.signalAll(SIGKILL) }
            Trace.step("remove cgroup")
            try cg.destroy()
        }
        if let hooks = c.hooks?.poststop, !hooks.isEmpty {
            let state = ContainerState(id: id, status: .stopped, pid: c.pid, bundle: c.bundle, annotations: c.annotations)
            for (i, h) in hooks.enumerated() {
                do { try Hooks.run([h], kind: "poststop", state: state) } catch { warn("poststop hook \(i): \(error)") }
            }
        }
        if let m = c.rootfsMount {
            for mp in Mount.mountPoints(under: m) { try? Mount.unmount(mp, detach: true) }
        }
        if c.managedBundle == true {
            try? Files.removeTree(c.bundle)
            if let base = c.annotations?["locker.userns"].flatMap(UInt32.init) {
                UserNamespace.release(base: base, dataRoot: Files.dirname(Files.dirname(c.bundle)))
            }
        }
        try store.remove(id)
        _ = lock
    }

    public static func warn(_ s: String) {
        try? FD.writeAll(2, "locker: warning: \(s)\n")
    }
}
