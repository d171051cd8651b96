/// Defaults: the config `locker spec` writes (runc's shape) and the confinement `locker run` applies.
public enum Defaults {
    public static let path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// docker's default capability set.
    public static let dockerCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ]
    /// The minimal set runc's `spec` gives.
    public static let specCapabilities = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]

    public static let maskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap",
        "/proc/scsi",
    ]
    public static let readonlyPaths = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]

    public static func mounts() -> [Spec.Mount] {
        [
            .init(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
            .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            .init(destination: "/dev/pts", type: "devpts", source: "devpts",
                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            .init(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            .init(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
            .init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
            .init(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
        ]
    }

    public static let namespaces = ["pid", "network", "ipc", "uts", "mount", "cgroup"]

    /// What `locker spec` writes; `rootless` adds a user namespace mapping the caller's ids.
    public static func spec(args: [String] = ["sh"], terminal: Bool = true, rootless: (uid: UInt32, gid: UInt32)? = nil) -> Spec {
        var process = Spec.Process(terminal: terminal, args: args, env: [path, "TERM=xterm"], cwd: "/",
                                   capabilities: .uniform(specCapabilities),
                                   rlimits: [.init(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
                                   noNewPrivileges: true)
        process.user = Spec.User(uid: 0, gid: 0)
        var linux = Spec.Linux()
        var resources = Resources()
        resources.devices = [.init(allow: false, access: "rwm")]
        linux.resources = resources
        linux.namespaces = namespaces.map { Spec.NamespaceEntry(type: $0) }
        linux.maskedPaths = maskedPaths
        linux.readonlyPaths = readonlyPaths
        linux.seccomp = SeccompProfile.docker(capabilities: specCapabilities)
        var mounts = Defaults.mounts()
        if let r = rootless {
            linux.namespaces?.append(.init(type: "user"))
            linux.uidMappings = [.init(containerID: 0, hostID: r.uid, size: 1)]
            linux.gidMappings = [.init(containerID: 0, hostID: r.gid, size: 1)]
            linux.resources = nil
            // Without privileges on the host's network namespace sysfs cannot be mounted anew.
            mounts = mounts.map { m in
                if m.destination == "/sys" { return .init(destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]) }
                if m.destination == "/dev/pts" { return .init(destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]) }
                return m
            }.filter { $0.destination != "/sys/fs/cgroup" && $0.destination != "/dev/mqueue" }
        }
        return Spec(process: process, root: .init(path: "rootfs", readonly: true), hostname: "locker",
                    mounts: mounts, linux: linux)
    }
}
