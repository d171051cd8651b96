import Glibc
import LockerSystem

/// What a container's cgroup has used, in the shape of runc's `events --stats` data.
public struct CgroupStats: Codable, Equatable, Sendable {
    public struct CPUUsage: Codable, Equatable, Sendable {
        public var total: UInt64 = 0      // nanoseconds
        public var kernel: UInt64 = 0
        public var user: UInt64 = 0
    }
    public struct Throttling: Codable, Equatable, Sendable {
        public var periods: UInt64 = 0
        public var throttled_periods: UInt64 = 0
        public var throttled_time: UInt64 = 0
    }
    public struct CPU: Codable, Equatable, Sendable {
        public var usage = CPUUsage()
        public var throttling = Throttling()
    }
    public struct MemoryUsage: Codable, Equatable, Sendable {
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var limit: UInt64 = 0
        public var failcnt: UInt64 = 0
    }
    public struct Memory: Codable, Equatable, Sendable {
        public var usage = MemoryUsage()
        public var cache: UInt64 = 0
        public var oom_kill: UInt64 = 0
        public var oom: UInt64 = 0
    }
    public struct Pids: Codable, Equatable, Sendable {
        public var current: UInt64 = 0
        public var limit: UInt64 = 0
    }
    public struct BlkIO: Codable, Equatable, Sendable {
        public var read_bytes: UInt64 = 0
        public var write_bytes: UInt64 = 0
        public var read_ops: UInt64 = 0
        public var write_ops: UInt64 = 0
    }
    public var cpu = CPU()
    public var memory = Memory()
    public var pids = Pids()
    public var blkio = BlkIO()
}

extension Cgroup {
    public func stats() -> CgroupStats {
        var s = CgroupStats()
        func read(_ n: Node, _ f: String) -> String? { (try? Files.readString(n.path + "/" + f))?.trimmedBytes() }
        func num(_ n: Node, _ f: String) -> UInt64 {
            guard let v = read(n, f) else { return 0 }
            if v == "max" || v == "9223372036854771712" { return UInt64.max }
            return UInt64(v) ?? 0
        }
        func keyed(_ n: Node, _ f: String) -> [String: UInt64] {
            var out: [String: UInt64] = [:]
            for line in (read(n, f) ?? "").split(separator: "\n") {
                let p = line.split(separator: " ")
                if p.count == 2, let v = UInt64(p[1]) { out[String(p[0])] = v }
            }
            return out
        }
        if let n = node(for: "cpu") ?? node(for: "cpuacct") {
            if n.hierarchy.isV2 {
                let st = keyed(n, "cpu.stat")
                s.cpu.usage = .init(total: (st["usage_usec"] ?? 0) * 1000, kernel: (st["system_usec"] ?? 0) * 1000, user: (st["user_usec"] ?? 0) * 1000)
                s.cpu.throttling = .init(periods: st["nr_periods"] ?? 0, throttled_periods: st["nr_throttled"] ?? 0, throttled_time: (st["throttled_usec"] ?? 0) * 1000)
            } else {
                if let a = node(for: "cpuacct") {
                    s.cpu.usage.total = num(a, "cpuacct.usage")
                    let st = keyed(a, "cpuacct.stat")
                    let tick = UInt64(1_000_000_000) / UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
                    s.cpu.usage.user = (st["user"] ?? 0) * tick
                    s.cpu.usage.kernel = (st["system"] ?? 0) * tick
                }
                if let c = node(for: "cpu") {
                    let st = keyed(c, "cpu.stat")
                    s.cpu.throttling = .init(periods: st["nr_periods"] ?? 0, throttled_periods: st["nr_throttled"] ?? 0, throttled_time: st["throttled_time"] ?? 0)
                }
            }
        }
        if let n = node(for: "memory") {
            if n.hierarchy.isV2 {
                s.memory.usage = .init(usage: num(n, "memory.current"), max: num(n, "memory.peak"), limit: num(n, "memory.max"), failcnt: keyed(n, "memory.events")["max"] ?? 0)
                s.memory.cache = keyed(n, "memory.stat")["file"] ?? 0
                let ev = keyed(n, "memory.events")
                s.memory.oom_kill = ev["oom_kill"] ?? 0
                s.memory.oom = ev["oom"] ?? 0
            } else {
                s.memory.usage = .init(usage: num(n, "memory.usage_in_bytes"), max: num(n, "memory.max_usage_in_bytes"),
                                       limit: num(n, "memory.limit_in_bytes"), failcnt: num(n, "memory.failcnt"))
                s.memory.cache = keyed(n, "memory.stat")["cache"] ?? 0
                let oc = keyed(n, "memory.oom_control")
                s.memory.oom_kill = oc["oom_kill"] ?? 0
                s.memory.oom = oc["under_oom"] ?? 0
            }
        }
        if let n = node(for: "pids") {
            s.pids.current = num(n, "pids.current")
            s.pids.limit = num(n, "pids.max")
        }
        if let n = node(for: "blkio") ?? node(for: "io") {
            if n.hierarchy.isV2 {
                for line in (read(n, "io.stat") ?? "").split(separator: "\n") {
                    for kv in line.split(separator: " ").dropFirst() {
                        let p = kv.split(separator: "=")
                        guard p.count == 2, let v = UInt64(p[1]) else { continue }
                        switch p[0] {
                        case "rbytes": s.blkio.read_bytes += v
                        case "wbytes": s.blkio.write_bytes += v
                        case "rios": s.blkio.read_ops += v
                        case "wios": s.blkio.write_ops += v
                        default: break
                        }
                    }
                }
            } else {
                func total(_ f: String) -> (UInt64, UInt64) {
                    var r: UInt64 = 0, w: UInt64 = 0
                    for line in (read(n, f) ?? "").split(separator: "\n") {
                        let p = line.split(separator: " ")
                        guard p.count == 3, let v = UInt64(p[2]) else { continue }
                        if p[1] == "Read" { r += v } else if p[1] == "Write" { w += v }
                    }
                    return (r, w)
                }
                (s.blkio.read_bytes, s.blkio.write_bytes) = total("blkio.throttle.io_service_bytes")
                (s.blkio.read_ops, s.blkio.write_ops) = total("blkio.throttle.io_serviced")
            }
        }
        return s
    }
}
