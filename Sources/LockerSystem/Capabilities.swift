import CLockerShim
import Glibc

/// Linux capabilities by name, and the calls that set the five sets of a process.
public enum Capability {
    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]
    /// The number of a capability name (with or without the CAP_ prefix, any case).
    public static func number(_ name: String) -> Int? {
        // ASCII upper case, byte-wise (as ByteFields says why): capability names are ASCII.
        var n = String(decoding: name.utf8.map { $0 >= 0x61 && $0 <= 0x7a ? $0 - 0x20 : $0 }, as: UTF8.self)
        if !n.hasBytePrefix("CAP_") { n = "CAP_" + n }
        return names.firstIndex(of: n)
    }
    /// The highest capability the running kernel knows.
    public static let lastSupported: Int = Int(locker_capget_bounding_last())

    /// Whether this process may still hold `cap` (it is in our own bounding set).
    public static func held(_ cap: Int) -> Bool { locker_prctl(23 /* PR_CAPBSET_READ */, UInt(cap), 0, 0, 0) == 1 }
    /// Every capability this process can hand on: what `--privileged` means on this host.
    public static var allHeld: [String] { (0...lastSupported).filter(held).map { names[$0] } }

    public struct Sets {
        public var bounding: [Int] = []
        public var effective: [Int] = []
        public var permitted: [Int] = []
        public var inheritable: [Int] = []
        public var ambient: [Int] = []
        public init() {}
    }

    /// Drops every bounding capability not in `keep`. Needs CAP_SETPCAP, so it runs before
    /// the user changes.
    public static func dropBounding(keeping keep: [Int]) throws {
        for cap in 0...lastSupported where !keep.contains(cap) {
            try sys("drop bounding capability \(names.count > cap ? names[cap] : String(cap))") {
                locker_prctl(LOCKER_PR_CAPBSET_DROP, UInt(cap), 0, 0, 0)
            }
        }
    }
    public static func set(effective: [Int], permitted: [Int], inheritable: [Int]) throws {
        var e: [UInt32] = [0, 0], p: [UInt32] = [0, 0], i: [UInt32] = [0, 0]
        for c in effective { e[c / 32] |= 1 << UInt32(c % 32) }
        for c in permitted { p[c / 32] |= 1 << UInt32(c % 32) }
        for c in inheritable { i[c / 32] |= 1 << UInt32(c % 32) }
        try sys("capset") { locker_capset(&e, &p, &i) }
    }
    public static func raiseAmbient(_ caps: [Int]) throws {
        for c in caps {
            try sys("raise ambient capability \(names[c])") {
                locker_prctl(LOCKER_PR_CAP_AMBIENT, UInt(LOCKER_PR_CAP_AMBIENT_RAISE), UInt(c), 0, 0)
            }
        }
    }
}
