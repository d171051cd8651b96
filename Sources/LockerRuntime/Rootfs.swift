import CLockerShim
import Glibc
import LockerCgroups
import LockerSpec
import LockerSystem

/// Builds the container's filesystem inside its new mount namespace: propagation, the root
/// bind, every configured mount resolved inside the root, /dev, then pivot_root.
struct Rootfs {
    let spec: Spec
    let rootfs: String
    let userNamespace: Bool
    let cgroupNamespace: Bool
    let cgroupPaths: [String]

    /// The container's own directory in the hierarchy mounted at `mountPoint`.
    func ownCgroup(under mountPoint: String) -> String? {
        cgroupPaths.first { $0 == mountPoint || $0.hasBytePrefix(mountPoint + "/") }
    }

    /// Mount propagation first: nothing the container mounts may reach the host.
    func prepare() throws {
        var flags = LOCKER_MS_SLAVE | LOCKER_MS_REC
        if let p = spec.linux?.rootfsPropagation {
            let o = Mount.parseOptions([p])
            if o.propagation != 0 { flags = o.propagation }
        }
        Trace.step("mount --make-\(spec.linux?.rootfsPropagation ?? "rslave") /")
        try Mount.mount(nil, "/", type: nil, flags: flags, describe: "propagation of")
        // pivot_root refuses a new root whose parent mount is shared: make that mount private
        // (in this namespace only), as runc does.
        if let parent = Rootfs.mountPoint(containing: rootfs), Rootfs.isShared(parent) {
            Trace.step("make \(parent) private (the mount holding the rootfs)")
            try Mount.mount(nil, parent, type: nil, flags: LOCKER_MS_PRIVATE, describe: "propagation of")
        }
        Trace.step("bind \(rootfs) onto itself, so it is a mount point for pivot_root")
        try Mount.mount(rootfs, rootfs, type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REC, describe: "bind of rootfs on")
    }

    /// The mount point (from /proc/self/mountinfo) under which `path` lies.
    static func mountPoint(containing path: String) -> String? {
        guard let info = Mount.infoFields() else { return nil }
        var best: String? = nil
        for f in info where f.count > 4 {
            let mp = Mount.unescape(f[4].text)
            if path == mp || path.hasBytePrefix(mp == "/" ? "/" : mp + "/") {
                if best == nil || mp.utf8.count > best!.utf8.count { best = mp }
            }
        }
        return best
    }
    static func isShared(_ mountPoint: String) -> Bool {
        guard let info = Mount.infoFields() else { return false }
        var shared = false
        for f in info where f.count > 6 && Mount.unescape(f[4].text) == mountPoint {
            // The last mount listed on a mount point is the visible one. Optional fields
            // (shared:N, master:N) run from field 6 to a lone "-".
            shared = f[6...].prefix { $0.text != "-" }.contains { $0.text.hasBytePrefix("shared:") }
        }
        return shared
    }

    /// Mounts every entry of config.json's `mounts`, each destination resolved inside the root.
    /// Returns the pty slave path for /dev/console when one was made.
    func mountAll(root: Int32, beforeCgroupMount: () throws -> Void) throws {
        for m in spec.mounts ?? [] {
            if m.type == "cgroup" || m.type == "cgroup2" { try beforeCgroupMount() }
            try mountOne(m, root: root)
            if m.destination == "/dev" && (m.type == "tmpfs" || m.type == nil && m.source == "tmpfs") {
                try Devices.populate(root: root, extra: spec.linux?.devices ?? [], userNamespace: userNamespace)
            }
        }
        if !(spec.mounts ?? []).contains(where: { $0.destination == "/dev" }), let extra = spec.linux?.devices, !extra.isEmpty {
            try Devices.create(extra, root: root, userNamespace: userNamespace)
        }
    }

    func mountOne(_ m: Spec.Mount, root: Int32) throws {
        let opts = Mount.parseOptions(m.options ?? [])
        let type = m.type ?? ""
        let isBind = opts.isBind || type == "bind"
        if isBind {
            guard let source = m.source, !source.isEmpty else { throw LockerError("mount \(m.destination): a bind mount needs a source") }
            var st = stat()
            if stat(source, &st) != 0 { throw SystemError("bind mount source", source) }
            let isDir = (st.st_mode & S_IFMT) == S_IFDIR
            let target = isDir ? try InRoot.mkdirAll(root, m.destination) : try InRoot.touch(root, m.destination)
            let tp = InRoot.procPath(target.raw)
            Trace.step("bind \(source) on \(m.destination) (\((m.options ?? []).joined(separator: ",")))")
            let rec = opts.flags & LOCKER_MS_REC
            try Mount.mount(source, tp, type: nil, flags: LOCKER_MS_BIND | rec, describe: "bind \(source) on", at: m.destination)
            // A bind mount takes its flags only on a remount.
            let extra = opts.flags & ~(LOCKER_MS_BIND | LOCKER_MS_REC | LOCKER_MS_REMOUNT)
            // The descriptor named the directory under the new mount; look again to reach the mount.
            let mounted = try InRoot.open(root, m.destination)
            let mp = InRoot.procPath(mounted.raw)
            if extra != 0 {
                let locked = Rootfs.lockedFlags(mp)
                try Mount.mount(nil, mp, type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REMOUNT | extra | locked | rec,
                                describe: "remount \(opts.flags & LOCKER_MS_RDONLY != 0 ? "read-only" : "with flags")", at: m.destination)
            }
            if opts.propagation != 0 { try Mount.mount(nil, mp, type: nil, flags: opts.propagation, describe: "propagation of", at: m.destination) }
            return
        }
        if type == "cgroup" || type == "cgroup2" {
            try mountCgroup(m, root: root, flags: opts.flags)
            return
        }
        let target = try InRoot.mkdirAll(root, m.destination)
        let tp = InRoot.procPath(target.raw)
        let data = ByteFields.join(opts.data, UInt8(ascii: ","))
        Trace.step("mount \(type) on \(m.destination)\(data.isEmpty ? "" : " (\(data))")")
        do {
            try Mount.mount(m.source ?? type, tp, type: type, flags: opts.flags & ~LOCKER_MS_REMOUNT, data: data.isEmpty ? nil : data,
                            describe: "\(type) on", at: m.destination)
        } catch let e as SystemError where type == "sysfs" && e.errno == EPERM {
            // sysfs needs a network namespace of our own; without one, bind the host's read-only as runc does.
            Trace.step("sysfs refused (no network namespace of its own): binding the host's /sys read-only")
            try Mount.mount("/sys", tp, type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REC, describe: "bind /sys on", at: m.destination)
            let mounted = try InRoot.open(root, m.destination)
            try Mount.mount(nil, InRoot.procPath(mounted.raw), type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REMOUNT | LOCKER_MS_RDONLY | LOCKER_MS_NOSUID | LOCKER_MS_NODEV | LOCKER_MS_NOEXEC,
                            describe: "remount read-only", at: m.destination)
        }
        if opts.propagation != 0 {
            let mounted = try InRoot.open(root, m.destination)
            try Mount.mount(nil, InRoot.procPath(mounted.raw), type: nil, flags: opts.propagation, describe: "propagation of", at: m.destination)
        }
    }

    /// `cgroup` mounts show the container's own cgroup as the root: cgroup2 where the host is
    /// unified, otherwise a tmpfs with one mount per v1 hierarchy (a cgroup namespace makes each
    /// one start at the container's cgroup).
    func mountCgroup(_ m: Spec.Mount, root: Int32, flags: UInt) throws {
        let target = try InRoot.mkdirAll(root, m.destination)
        let tp = InRoot.procPath(target.raw)
        let base = flags & (LOCKER_MS_NOSUID | LOCKER_MS_NODEV | LOCKER_MS_NOEXEC | LOCKER_MS_RELATIME)
        let unified = locker_statfs_type("/sys/fs/cgroup") == 0x6367_7270
        if unified {
            Trace.step("mount cgroup2 on \(m.destination)")
            do {
                try Mount.mount("cgroup", tp, type: "cgroup2", flags: flags & ~LOCKER_MS_REMOUNT, describe: "cgroup2 on", at: m.destination)
            } catch let e as SystemError where e.errno == EBUSY || e.errno == EPERM {
                // The host's cgroup2 is already there (a bind of the host's /sys): bind the
                // container's own directory instead, as runc does.
                guard let own = ownCgroup(under: "/sys/fs/cgroup") else { throw e }
                Trace.step("cgroup2 refused (\(Errno.name(e.errno))): bind \(own) on \(m.destination)")
                try Mount.mount(own, tp, type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REC, describe: "bind cgroup on", at: m.destination)
                if flags & LOCKER_MS_RDONLY != 0 {
                    let mounted = try InRoot.open(root, m.destination)
                    try Mount.mount(nil, InRoot.procPath(mounted.raw), type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REMOUNT | LOCKER_MS_RDONLY | base,
                                    describe: "remount read-only", at: m.destination)
                }
            }
            return
        }
        Trace.step("mount tmpfs on \(m.destination) with each cgroup v1 hierarchy inside")
        try Mount.mount("tmpfs", tp, type: "tmpfs", flags: base, data: "mode=755", describe: "tmpfs on", at: m.destination)
        let top = try InRoot.open(root, m.destination)
        for h in Hierarchy.discover() {
            let name = h.isV2 ? "unified" : ByteFields.join(h.controllers, UInt8(ascii: ","))
            let dest = Files.join(m.destination, name)
            let sub = try InRoot.mkdirAll(root, dest)
            let sp = InRoot.procPath(sub.raw)
            if cgroupNamespace {
                let opts = h.isV2 ? nil : ByteFields.join(h.controllers, UInt8(ascii: ","))
                try Mount.mount("cgroup", sp, type: h.isV2 ? "cgroup2" : "cgroup", flags: flags & ~LOCKER_MS_REMOUNT, data: opts,
                                describe: "cgroup \(name) on", at: dest)
            } else {
                try Mount.mount(ownCgroup(under: h.mountPoint) ?? Files.join(h.mountPoint, h.ownPath), sp, type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REC, describe: "bind cgroup \(name) on", at: dest)
                if flags & LOCKER_MS_RDONLY != 0 {
                    let mounted = try InRoot.open(root, dest)
                    try Mount.mount(nil, InRoot.procPath(mounted.raw), type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REMOUNT | LOCKER_MS_RDONLY | base, describe: "remount read-only", at: dest)
                }
            }
            // cpu,cpuacct style hierarchies are also reachable by each controller's name.
            if h.controllers.count > 1 {
                for c in h.controllers where !c.hasPrefix("name=") {
                    _ = symlinkat(name, top.raw, c)
                }
            }
        }
        if flags & LOCKER_MS_RDONLY != 0 {
            try Mount.mount(nil, InRoot.procPath(top.raw), type: nil, flags: LOCKER_MS_REMOUNT | LOCKER_MS_RDONLY | base, data: "mode=755",
                            describe: "remount read-only", at: m.destination)
        }
    }

    /// Flags the kernel locks on a mount made in another user namespace; a remount must keep them.
    static func lockedFlags(_ path: String) -> UInt {
        locker_mount_flags(path) & (LOCKER_MS_NOSUID | LOCKER_MS_NODEV | LOCKER_MS_NOEXEC | LOCKER_MS_RDONLY | LOCKER_MS_NOATIME | LOCKER_MS_NODIRATIME | LOCKER_MS_RELATIME)
    }

    /// Swaps the root: the old one is made a slave (so its unmount cannot reach the host) and detached.
    func pivot() throws {
        let newRoot = try FD.open(rootfs, O_RDONLY | O_DIRECTORY)
        try sys("chdir", rootfs) { fchdir(newRoot.raw) }
        Trace.step("pivot_root \(rootfs)")
        try Mount.pivotRoot(".", ".")
        try Mount.mount(nil, ".", type: nil, flags: LOCKER_MS_SLAVE | LOCKER_MS_REC, describe: "propagation of old root")
        try Mount.unmount(".", detach: true)
        try sys("chdir", "/") { chdir("/") }
        try applyRootPropagation()
    }

    /// A shared or slave rootfsPropagation asked for is set on the new root once it is `/`.
    func applyRootPropagation() throws {
        guard let p = spec.linux?.rootfsPropagation else { return }
        let o = Mount.parseOptions([p])
        guard o.propagation != 0, o.propagation & LOCKER_MS_PRIVATE == 0 else { return }
        Trace.step("mount --make-\(p) / (the container's root)")
        try Mount.mount(nil, "/", type: nil, flags: o.propagation, describe: "propagation of")
    }

    /// No mount namespace of its own: nothing can be mounted without touching the host's
    /// mount table, so the process is only chrooted into its rootfs.
    func chrootOnly() throws {
        Trace.step("no mount namespace: chroot \(rootfs)")
        try sys("chroot", rootfs) { chroot(rootfs) }
        try sys("chdir", "/") { chdir("/") }
    }

    /// --no-pivot: move the root over / and chroot, for ramfs roots where pivot_root fails.
    func moveRoot() throws {
        try sys("chdir", rootfs) { chdir(rootfs) }
        Trace.step("move \(rootfs) to / and chroot (no pivot_root)")
        try Mount.mount(rootfs, "/", type: nil, flags: LOCKER_MS_MOVE, describe: "move rootfs to")
        try sys("chroot", rootfs) { chroot(".") }
        try sys("chdir", "/") { chdir("/") }
    }

    /// After pivot_root: masked paths hidden, read-only paths remounted, the root made read-only.
    func finish() throws {
        for p in spec.linux?.readonlyPaths ?? [] {
            guard Files.exists(p) else { continue }
            Trace.step("read-only \(p)")
            try Mount.mount(p, p, type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REC, describe: "bind of read-only path")
            let locked = Rootfs.lockedFlags(p)
            try Mount.mount(nil, p, type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REMOUNT | LOCKER_MS_RDONLY | LOCKER_MS_REC | locked | LOCKER_MS_NOSUID | LOCKER_MS_NODEV | LOCKER_MS_NOEXEC,
                            describe: "remount read-only")
        }
        for p in spec.linux?.maskedPaths ?? [] {
            var st = stat()
            guard lstat(p, &st) == 0 else { continue }
            Trace.step("mask \(p)")
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try Mount.mount("tmpfs", p, type: "tmpfs", flags: LOCKER_MS_RDONLY, describe: "tmpfs over masked path")
            } else {
                try Mount.mount("/dev/null", p, type: nil, flags: LOCKER_MS_BIND, describe: "/dev/null over masked path")
            }
        }
        if spec.root?.readonly == true {
            Trace.step("remount / read-only")
            let locked = Rootfs.lockedFlags("/")
            try Mount.mount(nil, "/", type: nil, flags: LOCKER_MS_BIND | LOCKER_MS_REMOUNT | LOCKER_MS_RDONLY | locked, describe: "remount read-only")
        }
    }
}

extension Mount {
    /// Mounts on a descriptor's /proc path but names the container path in errors.
    static func mount(_ source: String?, _ target: String, type: String?, flags: UInt, data: String? = nil,
                      describe: String, at display: String) throws {
        do {
            try mount(source, target, type: type, flags: flags, data: data, describe: describe)
        } catch let e as SystemError {
            throw SystemError("mount \(describe)", display, errno: e.errno)
        }
    }
}
