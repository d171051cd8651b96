import Glibc
import LockerImage
import LockerSpec
import LockerSystem

/// `locker run IMAGE|--rootfs DIR CMD` in docker's terms, turned into an OCI config and a
/// bundle of Locker's own: a writable overlay over the image, /etc/hosts and friends,
/// confinement as docker's defaults.
public struct RunOptions {
    public var image: String?
    public var rootfsDir: String?
    public var command: [String] = []
    public var entrypoint: String?
    public var name: String?
    public var hostname: String?
    public var env: [String] = []
    public var envFiles: [String] = []
    public var workdir: String?
    public var user: String?
    public var volumes: [String] = []
    public var tmpfs: [String] = []
    public var readOnly = false
    public var terminal = false
    public var interactive = false
    public var network = "none"
    public var userns: String?
    public var uidmap: [String] = []
    public var gidmap: [String] = []
    public var capAdd: [String] = []
    public var capDrop: [String] = []
    public var privileged = false
    public var securityOpts: [String] = []
    public var resources = Resources()
    public var init_ = false
    /// `missing` (pull when not in the store), `always`, or `never`, as docker's --pull.
    public var pull = "missing"
    public var pullOptions = Pull.Options()
    public init() {}
}

public struct RunPlan {
    public var id: String
    public var spec: Spec
    public var bundle: String
    public var rootfsMount: String?
    public var image: String?

    public static func containersRoot(_ data: String) -> String { data + "/containers" }

    public static func make(_ o: RunOptions, images: ImageStore, store: StateStore) throws -> RunPlan {
        let id = try o.name ?? randomID()
        try Validation.validateID(id)
        if Files.exists(store.stateFile(id)) { throw LockerError("container \(id.debugDescription) already exists") }

        var imageConfig = ImageConfig.Run()
        var lowers: [String]
        var imageRef: String? = nil
        var imageID: Digest? = nil
        if let dir = o.rootfsDir {
            let lower = Bundle.absolute(dir)
            guard Files.isDirectory(lower) else { throw SystemError("--rootfs", lower, errno: ENOENT) }
            lowers = [lower]
        } else if let ref = o.image {
            var record = o.pull == "always" ? nil : images.find(ref)
            if record == nil {
                guard o.pull != "never" else {
                    throw LockerError("image \(ref.debugDescription) is not in the local store (\(images.root)) and --pull=never")
                }
                do {
                    record = try Pull(store: images, options: o.pullOptions).run(ref)
                } catch {
                    if o.pull == "always" { throw error }
                    throw LockerError("image \(ref.debugDescription) is not in the local store (\(images.root)), and pulling it failed: \(error)")
                }
            }
            let img = record!
            lowers = try images.lowerDirs(img)
            imageConfig = (try images.config(img)).config ?? ImageConfig.Run()
            imageRef = img.tags.first ?? img.id.short
            imageID = img.id
        } else {
            throw LockerError("run needs an image or --rootfs DIR")
        }

        // Command: entrypoint + cmd, each overridden by the flags as docker does.
        var entry = imageConfig.Entrypoint ?? []
        var cmd = imageConfig.Cmd ?? []
        if let e = o.entrypoint { entry = e.isEmpty ? [] : [e]; if o.command.isEmpty { cmd = [] } }
        if !o.command.isEmpty { cmd = o.command }
        let args = entry + cmd
        guard !args.isEmpty else { throw LockerError("no command given and the image has none") }

        var env = imageConfig.Env ?? [Defaults.path]
        if !env.contains(where: { $0.hasPrefix("PATH=") }) { env.insert(Defaults.path, at: 0) }
        for f in o.envFiles {
            let text = try Files.readString(f)
            for line in text.split(separator: "\n") {
                let l = line.trimmingCharacters(in: " \t\r")
                if l.isEmpty || l.hasPrefix("#") { continue }
                env = setEnv(env, try envEntry(l))
            }
        }
        for e in o.env { env = setEnv(env, try envEntry(e)) }
        if o.terminal && !env.contains(where: { $0.hasPrefix("TERM=") }) { env.append("TERM=xterm") }

        let bundle = containersRoot(images.root) + "/" + id
        try Files.mkdirAll(containersRoot(images.root), mode: 0o711)
        if Glibc.mkdir(bundle, 0o711) != 0 {
            if errno == EEXIST { throw LockerError("container \(id.debugDescription) already exists (\(bundle))") }
            throw SystemError("mkdir", bundle)
        }
        var plan = RunPlan(id: id, spec: Spec(), bundle: bundle, rootfsMount: nil, image: imageRef)
        do {
            // The image this container uses: `rmi` and `image prune` read it.
            if let d = imageID {
                let layers = (images.find(d.hex)?.layers ?? []).map(\.description)
                try Files.write(bundle + "/image", Array(([d.description] + layers).joined(separator: "\n").utf8), mode: 0o600)
            }
            plan.spec = try build(o, id: id, args: args, env: env, imageConfig: imageConfig, lowers: lowers, bundle: bundle, plan: &plan)
            try Files.write(bundle + "/config.json", JSON.encode(plan.spec, pretty: true))
        } catch {
            plan.discard()
            throw error
        }
        return plan
    }

    /// Undoes what make did, for a run that fails before its container exists.
    public func discard() {
        if let m = rootfsMount { try? Mount.unmount(m, detach: true) }
        try? Files.removeTree(bundle)
    }

    static func build(_ o: RunOptions, id: String, args: [String], env: [String], imageConfig: ImageConfig.Run,
                      lowers: [String], bundle: String, plan: inout RunPlan) throws -> Spec {
        var spec = Defaults.spec(args: args, terminal: o.terminal)
        spec.hostname = o.hostname ?? String(id.prefix(12))
        spec.process?.env = env
        spec.process?.noNewPrivileges = o.securityOpts.contains("no-new-privileges") || o.securityOpts.contains("no-new-privileges:true")
        spec.process?.rlimits = nil
        spec.linux?.cgroupsPath = "locker/\(id)"

        // Root filesystem: the image read-only below, this container's changes above.
        let rootfs = bundle + "/rootfs"
        try Files.mkdirAll(rootfs)
        if o.rootfsDir != nil && o.image == nil && o.readOnly {
            spec.root = Spec.Root(path: lowers[0], readonly: true)
        } else {
            plan.rootfsMount = try Snapshot.make(lowers: lowers, bundle: bundle, rootfs: rootfs)
            spec.root = Spec.Root(path: "rootfs", readonly: o.readOnly)
        }
        // Image labels become annotations; the stop signal is kept for `locker stop`.
        var notes = imageConfig.Labels ?? [:]
        if let sig = imageConfig.StopSignal, !sig.isEmpty { notes["org.opencontainers.image.stopSignal"] = sig }
        if !notes.isEmpty { spec.annotations = notes }

        // User: flag, else image config; names from the container's own files.
        let userSpec = o.user ?? imageConfig.User
        if let u = userSpec, !u.isEmpty {
            let r = try Passwd.resolve(u, rootfs: rootfs)
            spec.process?.user = Spec.User(uid: r.uid, gid: r.gid, additionalGids: r.additionalGids.isEmpty ? nil : r.additionalGids)
            if !(spec.process?.env ?? []).contains(where: { $0.hasPrefix("HOME=") }) { spec.process?.env?.append("HOME=\(r.home)") }
        } else if !(spec.process?.env ?? []).contains(where: { $0.hasPrefix("HOME=") }) {
            spec.process?.env?.append("HOME=/root")
        }
        spec.process?.cwd = o.workdir ?? (imageConfig.WorkingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/")
        if !(spec.process?.cwd.hasPrefix("/") ?? true) { throw LockerError("--workdir \(spec.process!.cwd.debugDescription) is not an absolute path") }

        // Capabilities, as docker: its default set, adjusted; --privileged gives all.
        var caps = Defaults.dockerCapabilities
        if o.privileged { caps = Capability.allHeld }
        for c in o.capDrop {
            if c.uppercased() == "ALL" { caps = []; continue }
            guard let n = Capability.number(c) else { throw LockerError("--cap-drop: unknown capability \(c.debugDescription)") }
            caps.removeAll { $0 == Capability.names[n] }
        }
        for c in o.capAdd {
            if c.uppercased() == "ALL" { caps = Capability.allHeld; continue }
            guard let n = Capability.number(c) else { throw LockerError("--cap-add: unknown capability \(c.debugDescription)") }
            if !caps.contains(Capability.names[n]) { caps.append(Capability.names[n]) }
        }
        spec.process?.capabilities = .uniform(caps)
        if o.privileged {
            spec.linux?.maskedPaths = nil
            spec.linux?.readonlyPaths = nil
            spec.linux?.resources?.devices = [.init(allow: true, access: "rwm")]
            spec.linux?.devices = hostDevices()
            spec.mounts = spec.mounts?.map { m in
                var m = m
                if m.destination == "/sys" || m.destination == "/sys/fs/cgroup" { m.options = m.options?.filter { $0 != "ro" }.map { $0 } ?? [] ; m.options?.append("rw") }
                return m
            }
        } else {
            spec.linux?.resources?.devices = [.init(allow: false, access: "rwm")] + defaultDeviceRules
        }
        spec.linux?.seccomp = o.privileged ? nil : SeccompProfile.docker(capabilities: caps)
        for opt in o.securityOpts {
            if opt.hasPrefix("no-new-privileges") { continue }
            if opt.hasPrefix("seccomp=") || opt.hasPrefix("seccomp:") {
                let value = String(opt.dropFirst(8))
                if value == "unconfined" { spec.linux?.seccomp = nil; continue }
                let bytes: [UInt8]
                do { bytes = try Files.read(value) } catch { throw LockerError("--security-opt seccomp=\(value): \(error)") }
                spec.linux?.seccomp = try JSON.decode(Spec.Seccomp.self, from: bytes, file: value)
                continue
            }
            if opt.hasPrefix("label=") || opt.hasPrefix("apparmor=") {
                throw LockerError("--security-opt \(opt): this host has neither SELinux nor AppArmor enabled")
            }
            throw LockerError("--security-opt \(opt.debugDescription): unknown option")
        }

        // Resources.
        var res = o.resources
        res.devices = spec.linux?.resources?.devices
        spec.linux?.resources = res

        // Namespaces.
        var ns = Defaults.namespaces
        switch o.network {
        case "none", "": break
        case "host": ns.removeAll { $0 == "network" }
        default: throw LockerError("--network \(o.network.debugDescription): only none and host are offered")
        }
        spec.linux?.namespaces = ns.map { Spec.NamespaceEntry(type: $0) }
        if o.network == "host" {
            // sysfs cannot be mounted without a network namespace of our own: bind the host's.
            spec.mounts = spec.mounts?.map { m in
                m.destination == "/sys" ? Spec.Mount(destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]) : m
            }
        }
        if let maps = try UserNamespace.mappings(userns: o.userns, uidmap: o.uidmap, gidmap: o.gidmap, id: id, dataRoot: Files.dirname(Files.dirname(bundle))) {
            spec.linux?.namespaces?.append(.init(type: "user"))
            spec.linux?.uidMappings = maps.uid
            spec.linux?.gidMappings = maps.gid
            // The container's root owns its writable layer.
            if let rootID = maps.uid.first(where: { $0.containerID == 0 })?.hostID, let rootGID = maps.gid.first(where: { $0.containerID == 0 })?.hostID {
                for d in ["/upper", "/work"] where Files.exists(bundle + d) { _ = chown(bundle + d, rootID, rootGID) }
            }
            spec.annotations = (spec.annotations ?? [:]).merging(["locker.userns": "\(maps.uid[0].hostID)"]) { $1 }
        }

        // /etc/hostname, /etc/hosts, /etc/resolv.conf of the container's own.
        let hn = spec.hostname ?? id
        try Files.write(bundle + "/hostname", Array("\(hn)\n".utf8))
        try Files.write(bundle + "/hosts", Array("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t\(hn)\n".utf8))
        let resolv = o.network == "host" ? ((try? Files.read("/etc/resolv.conf")) ?? []) : Array("# no network: --network none\n".utf8)
        try Files.write(bundle + "/resolv.conf", resolv)
        for f in ["hostname", "hosts", "resolv.conf"] {
            spec.mounts?.append(.init(destination: "/etc/" + f, type: "bind", source: bundle + "/" + f, options: ["rbind", "rprivate"] + (o.readOnly ? ["ro"] : [])))
        }

        for v in o.volumes { spec.mounts?.append(try volumeMount(v, dataRoot: Files.dirname(Files.dirname(bundle)))) }
        for t in o.tmpfs {
            let parts = t.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts[0].hasPrefix("/") else { throw LockerError("--tmpfs \(t.debugDescription): destination must be an absolute path") }
            let extra = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
            spec.mounts?.append(.init(destination: parts[0], type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec"] + (extra.isEmpty ? ["mode=1777"] : extra)))
        }
        try makeMountTargets(spec, rootfs: rootfs)
        return spec
    }

    /// Mount targets are made here, by the host's root, in the container's writable layer: in a
    /// user namespace the container's root could not create them in the image's directories.
    static func makeMountTargets(_ spec: Spec, rootfs: String) throws {
        let root = try FD.open(rootfs, O_PATH | O_DIRECTORY)
        for m in spec.mounts ?? [] where m.destination.hasPrefix("/etc/") || m.type == "bind" || m.type == "tmpfs" {
            if Defaults.mounts().contains(where: { $0.destination == m.destination }) { continue }
            if m.type == "bind", let src = m.source, !Files.isDirectory(src) {
                _ = try InRoot.touch(root.raw, m.destination)
            } else {
                _ = try InRoot.mkdirAll(root.raw, m.destination)
            }
        }
    }

    /// `--privileged` gives the container the host's device nodes, as docker does.
    static func hostDevices() -> [Spec.Device] {
        let skip: Set<String> = ["console", "ptmx", "tty", "null", "zero", "full", "random", "urandom", "fd", "stdin", "stdout", "stderr", "core"]
        var out: [Spec.Device] = []
        for name in (try? Files.listDirectory("/dev")) ?? [] where !skip.contains(name) {
            var st = stat()
            guard lstat("/dev/" + name, &st) == 0 else { continue }
            let kind = st.st_mode & S_IFMT
            guard kind == S_IFCHR || kind == S_IFBLK else { continue }
            var d = Spec.Device(type: kind == S_IFCHR ? "c" : "b", path: "/dev/" + name, major: Int64(st.st_rdev >> 8 & 0xfff),
                                minor: Int64((st.st_rdev & 0xff) | ((st.st_rdev >> 12) & 0xfff00)), fileMode: UInt32(st.st_mode & 0o7777))
            d.uid = st.st_uid
            d.gid = st.st_gid
            out.append(d)
        }
        return out
    }

    /// docker's default device allowances on top of deny-all.
    static let defaultDeviceRules: [Resources.DeviceRule] = [
        .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"), .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),
        .init(allow: true, type: "c", major: 1, minor: 7, access: "rwm"), .init(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),
        .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"), .init(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),
        .init(allow: true, type: "c", major: 5, minor: 1, access: "rwm"), .init(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),
        .init(allow: true, type: "c", major: 136, minor: -1, access: "rwm"), .init(allow: true, type: "c", major: 10, minor: 200, access: "rwm"),
    ]

    /// `SRC:DST[:ro|rw]`; a SRC that is not a path names a volume under the data root.
    static func volumeMount(_ v: String, dataRoot: String) throws -> Spec.Mount {
        let parts = v.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            throw LockerError("--volume \(v.debugDescription): expected SRC:DST[:ro], DST an absolute path")
        }
        var opts = ["rbind", "rprivate"]
        if parts.count == 3 {
            for o in parts[2].split(separator: ",") {
                switch o {
                case "ro": opts.append("ro")
                case "rw": break
                case "z", "Z": break
                default: throw LockerError("--volume \(v.debugDescription): unknown option \(o)")
                }
            }
        }
        var source = parts[0]
        if !source.hasPrefix("/") {
            guard source.unicodeScalars.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "_.-".unicodeScalars.contains($0) }),
                  source != ".", source != ".." else {
                throw LockerError("--volume \(v.debugDescription): a volume name may hold letters, digits and _.- only; a host path must be absolute")
            }
            source = dataRoot + "/volumes/" + source + "/_data"
            try Files.mkdirAll(source)
        } else if !Files.exists(source) {
            throw SystemError("--volume source", source, errno: ENOENT)
        }
        return .init(destination: parts[1], type: "bind", source: source, options: opts)
    }

    static func envEntry(_ e: String) throws -> String {
        if e.utf8.contains(UInt8(ascii: "=")) {
            if e.hasPrefix("=") { throw LockerError("--env \(e.debugDescription): variable name is empty") }
            return e
        }
        if let v = getenv(e) { return e + "=" + String(cString: v) }
        return ""
    }
    static func setEnv(_ env: [String], _ entry: String) -> [String] {
        guard !entry.isEmpty else { return env }
        let key = entry.split(separator: "=", maxSplits: 1)[0] + "="
        return env.filter { !$0.hasPrefix(key) } + [entry]
    }

    public static func randomID() throws -> String {
        let fd = try FD.open("/dev/urandom", O_RDONLY)
        var b = [UInt8](repeating: 0, count: 8)
        guard read(fd.raw, &b, 8) == 8 else { throw SystemError("read", "/dev/urandom") }
        return b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
