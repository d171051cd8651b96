import Glibc
import LockerSpec
import LockerSystem

/// Writes `linux.resources` into the cgroup, in each hierarchy that has the controller.
/// Every failure names the resource and the value: `memory limit 1k: write "1024" to .../memory.limit_in_bytes: EBUSY`.
extension Cgroup {
    public func apply(_ r: Resources) throws {
        if let m = r.memory { try applyMemory(m) }
        if let c = r.cpu { try applyCPU(c) }
        if let p = r.pids { try write("pids", v1: "pids.max", v2: "pids.max", p.limit <= 0 ? "max" : "\(p.limit)", what: "pids limit") }
        if let b = r.blockIO { try applyBlockIO(b) }
        for h in r.hugepageLimits ?? [] {
            try write("hugetlb", v1: "hugetlb.\(h.pageSize).limit_in_bytes", v2: "hugetlb.\(h.pageSize).max", "\(h.limit)", what: "hugetlb \(h.pageSize) limit")
        }
        if let devices = r.devices {
            // v1: the devices controller. v2 (and the cgroup2 tree of a hybrid host, as a second
            // lock): an eBPF program. Where both exist, both must allow.
            if let n = node(for: "devices"), !n.hierarchy.isV2 {
                try DeviceRulesV1.apply(devices, at: n.path)
            }
            if let n = v2 {
                try DeviceFilterV2.attach(devices, to: n.path)
            }
        }
        if let unified = r.unified, !unified.isEmpty {
            guard let n = v2 else { throw LockerError("linux.resources.unified needs cgroup v2, and this host has no cgroup2 hierarchy") }
            for (k, v) in unified.sorted(by: { $0.key < $1.key }) {
                if k.utf8.contains(UInt8(ascii: "/")) || k.hasPrefix(".") { throw LockerError("linux.resources.unified: invalid key \(k.debugDescription)") }
                let path = n.path + "/" + k
                do { try Files.writeExisting(path, v) } catch let e as SystemError {
                    throw LockerError("linux.resources.unified \(k)=\(v): \(e)")
                }
            }
        }
    }

    /// Writes a value to the v1 file or the v2 file of the hierarchy that has `controller`.
    func write(_ controller: String, v1: String?, v2: String?, _ value: String, what: String) throws {
        guard let n = node(for: controller) else {
            throw LockerError("\(what) \(value): this host has no \(controller) cgroup controller")
        }
        guard let file = n.hierarchy.isV2 ? v2 : v1 else { return }
        do { try Files.writeExisting(n.path + "/" + file, value) } catch let e as SystemError {
            throw LockerError("\(what) \(value): \(e)")
        }
    }

    func applyMemory(_ m: Resources.Memory) throws {
        guard let n = node(for: "memory") else { throw LockerError("memory limit: this host has no memory cgroup controller") }
        if n.hierarchy.isV2 {
            if let l = m.limit { try write("memory", v1: nil, v2: "memory.max", l < 0 ? "max" : "\(l)", what: "memory limit") }
            if let r = m.reservation { try write("memory", v1: nil, v2: "memory.low", r < 0 ? "max" : "\(r)", what: "memory reservation") }
            if let s = m.swap {
                // OCI swap is memory+swap; v2 counts swap alone.
                let v: String = s < 0 ? "max" : "\(max(0, s - (m.limit ?? 0)))"
                try write("memory", v1: nil, v2: "memory.swap.max", v, what: "memory+swap limit")
            }
            if m.disableOOMKiller == true { throw LockerError("memory.disableOOMKiller: cgroup v2 has no OOM-killer switch") }
            return
        }
        // v1: memory+swap must stay >= memory, so order the writes by direction.
        let current = Int64((try? Files.readString(n.path + "/memory.limit_in_bytes"))?.trimmedBytes() ?? "") ?? Int64.max
        let limitValue = m.limit.map { $0 < 0 ? "-1" : "\($0)" }
        let swapValue = m.swap.map { $0 < 0 ? "-1" : "\($0)" }
        let hasSwapFile = Files.exists(n.path + "/memory.memsw.limit_in_bytes")
        if let swapValue, !hasSwapFile, m.swap != m.limit {
            throw LockerError("memory+swap limit \(swapValue): this kernel has no swap accounting (memory.memsw.limit_in_bytes)")
        }
        let growing = (m.limit ?? 0) < 0 || (m.limit ?? 0) > current
        if growing, let swapValue, hasSwapFile { try write("memory", v1: "memory.memsw.limit_in_bytes", v2: nil, swapValue, what: "memory+swap limit") }
        if let limitValue { try write("memory", v1: "memory.limit_in_bytes", v2: nil, limitValue, what: "memory limit") }
        if !growing, let swapValue, hasSwapFile { try write("memory", v1: "memory.memsw.limit_in_bytes", v2: nil, swapValue, what: "memory+swap limit") }
        if let r = m.reservation { try write("memory", v1: "memory.soft_limit_in_bytes", v2: nil, "\(r)", what: "memory reservation") }
        if let s = m.swappiness, s <= 100 { try write("memory", v1: "memory.swappiness", v2: nil, "\(s)", what: "memory swappiness") }
        else if let s = m.swappiness { throw LockerError("memory swappiness \(s): must be 0 to 100") }
        if m.disableOOMKiller == true { try write("memory", v1: "memory.oom_control", v2: nil, "1", what: "memory OOM killer off") }
    }

    func applyCPU(_ c: Resources.CPU) throws {
        if let n = node(for: "cpu") {
            if n.hierarchy.isV2 {
                if let s = c.shares, s > 0 { try write("cpu", v1: nil, v2: "cpu.weight", "\(CPUWeight.fromShares(s))", what: "cpu shares") }
                if c.quota != nil || c.period != nil {
                    let q = c.quota.map { $0 <= 0 ? "max" : "\($0)" } ?? "max"
                    try write("cpu", v1: nil, v2: "cpu.max", "\(q) \(c.period ?? 100000)", what: "cpu quota")
                }
                if let i = c.idle { try write("cpu", v1: nil, v2: "cpu.idle", "\(i)", what: "cpu idle") }
            } else {
                if let s = c.shares, s > 0 { try write("cpu", v1: "cpu.shares", v2: nil, "\(s)", what: "cpu shares") }
                if let p = c.period, p > 0 { try write("cpu", v1: "cpu.cfs_period_us", v2: nil, "\(p)", what: "cpu period") }
                if let q = c.quota, q != 0 { try write("cpu", v1: "cpu.cfs_quota_us", v2: nil, "\(q)", what: "cpu quota") }
                if let p = c.realtimePeriod, p > 0 { try write("cpu", v1: "cpu.rt_period_us", v2: nil, "\(p)", what: "cpu realtime period") }
                if let r = c.realtimeRuntime, r != 0 { try write("cpu", v1: "cpu.rt_runtime_us", v2: nil, "\(r)", what: "cpu realtime runtime") }
            }
        } else if c.shares != nil || c.quota != nil {
            throw LockerError("cpu limits: this host has no cpu cgroup controller")
        }
        if let cpus = c.cpus, !cpus.isEmpty { try write("cpuset", v1: "cpuset.cpus", v2: "cpuset.cpus", cpus, what: "cpuset cpus") }
        if let mems = c.mems, !mems.isEmpty { try write("cpuset", v1: "cpuset.mems", v2: "cpuset.mems", mems, what: "cpuset mems") }
    }

    func applyBlockIO(_ b: Resources.BlockIO) throws {
        guard let n = node(for: n2("blkio", "io")) else { throw LockerError("block I/O limits: this host has no blkio/io cgroup controller") }
        let ctrl = n.hierarchy.isV2 ? "io" : "blkio"
        if let w = b.weight {
            try write(ctrl, v1: "blkio.weight", v2: "io.weight", n.hierarchy.isV2 ? "default \(w)" : "\(w)", what: "blkio weight")
        }
        for d in b.weightDevice ?? [] {
            if let w = d.weight { try write(ctrl, v1: "blkio.weight_device", v2: "io.weight", "\(d.major):\(d.minor) \(w)", what: "blkio device weight") }
        }
        let throttles: [([Resources.ThrottleDevice]?, String, String)] = [
            (b.throttleReadBpsDevice, "blkio.throttle.read_bps_device", "rbps"),
            (b.throttleWriteBpsDevice, "blkio.throttle.write_bps_device", "wbps"),
            (b.throttleReadIOPSDevice, "blkio.throttle.read_iops_device", "riops"),
            (b.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device", "wiops"),
        ]
        for (list, v1file, key) in throttles {
            for d in list ?? [] {
                if n.hierarchy.isV2 {
                    try write(ctrl, v1: nil, v2: "io.max", "\(d.major):\(d.minor) \(key)=\(d.rate)", what: "io \(key)")
                } else {
                    try write(ctrl, v1: v1file, v2: nil, "\(d.major):\(d.minor) \(d.rate)", what: "blkio \(key)")
                }
            }
        }
    }
    func n2(_ v1: String, _ v2: String) -> String { node(for: v1) != nil ? v1 : v2 }
}

/// cgroup v1 shares (2..262144) mapped to v2 weight (1..10000), the formula runc and crun use.
public enum CPUWeight {
    public static func fromShares(_ shares: UInt64) -> UInt64 {
        if shares == 0 { return 0 }
        let s = min(max(shares, 2), 262144)
        return 1 + ((s - 2) * 9999) / 262142
    }
}

/// v1 device rules: deny all, then each rule in order, as `devices.allow`/`devices.deny` take them.
enum DeviceRulesV1 {
    static func apply(_ rules: [Resources.DeviceRule], at path: String) throws {
        for r in rules {
            let type = r.type ?? "a"
            let major = r.major.map { $0 < 0 ? "*" : NumberText.string($0) } ?? "*"
            let minor = r.minor.map { $0 < 0 ? "*" : NumberText.string($0) } ?? "*"
            let access = r.access ?? "rwm"
            let line = type == "a" ? "a" : "\(type) \(major):\(minor) \(access)"
            let file = r.allow ? "devices.allow" : "devices.deny"
            do { try Files.writeExisting(path + "/" + file, line) } catch let e as SystemError {
                throw LockerError("device rule \(line.debugDescription): \(e)")
            }
        }
    }
}
