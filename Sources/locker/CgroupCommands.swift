import ArgumentParser
import Glibc
import LockerCgroups
import LockerRuntime
import LockerSpec
import LockerSystem

struct PauseCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "pause", abstract: "Freeze every process of a container.")
    @Argument var id: String
    mutating func execute() throws { try Control.pause(id, store: Globals.current.store) }
}

struct ResumeCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "resume", abstract: "Thaw a paused container.", aliases: ["unpause"])
    @Argument var id: String
    mutating func execute() throws { try Control.resume(id, store: Globals.current.store) }
}

struct UpdateCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "update", abstract: "Change a running container's limits.")
    @Argument var id: String
    @Option(name: [.customShort("r"), .long], help: "linux.resources as JSON, from a file or - for stdin.") var resources: String?
    @OptionGroup var limits: LimitOptions
    @Option(name: .long) var blkioWeight: UInt16?

    mutating func execute() throws {
        var r: Resources
        if let f = resources {
            let bytes = f == "-" ? try FD.readAll(0) : try Files.read(f)
            r = try JSON.decode(Resources.self, from: bytes, file: f == "-" ? "stdin" : f)
        } else {
            r = try limits.resources()
            if let w = blkioWeight { var b = Resources.BlockIO(); b.weight = w; r.blockIO = b }
        }
        try Control.update(id, resources: r, store: Globals.current.store)
    }
}

struct StatsCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "stats", abstract: "What a container's cgroup has used: CPU, memory, pids, block I/O.")
    @Argument var id: String
    @Option(name: .long, help: "table or json") var format = "table"
    mutating func execute() throws {
        let s = try Control.stats(id, store: Globals.current.store)
        if format == "json" { try FD.writeAll(1, JSON.encode(s, pretty: true) + [10]); return }
        func mb(_ v: UInt64) -> String { v == UInt64.max ? "max" : String(format1(Double(v) / 1048576)) + " MiB" }
        printTable([
            ["ID", "CPU (s)", "THROTTLED", "MEM", "MEM PEAK", "MEM LIMIT", "OOM KILLS", "PIDS", "PIDS LIMIT", "BLOCK R/W"],
            [id, format1(Double(s.cpu.usage.total) / 1e9), "\(s.cpu.throttling.throttled_periods)/\(s.cpu.throttling.periods)",
             mb(s.memory.usage.usage), mb(s.memory.usage.max), mb(s.memory.usage.limit), "\(s.memory.oom_kill)",
             "\(s.pids.current)", s.pids.limit == UInt64.max ? "max" : "\(s.pids.limit)",
             "\(s.blkio.read_bytes)/\(s.blkio.write_bytes)"],
        ])
    }
}

func format1(_ v: Double) -> String {
    let r = (v * 10).rounded() / 10
    return String(r)
}

/// runc's `events`: JSON lines. With --stats one stats line and exit; otherwise a stats line
/// every interval, and an `oom` line as soon as the kernel OOM-kills inside, until the container stops.
struct EventsCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "events", abstract: "Stream a container's events (stats, oom) as JSON lines.")
    @Argument var id: String
    @Flag(name: .long, help: "Print one stats event and exit.") var stats = false
    @Option(name: .long, help: "Seconds between stats events.") var interval: String = "5s"

    struct Event<T: Encodable>: Encodable { var type: String; var id: String; var data: T? }
    struct Empty: Encodable {}

    mutating func execute() throws {
        let store = Globals.current.store
        if stats {
            let s = try Control.stats(id, store: store)
            try FD.writeAll(1, JSON.encode(Event(type: "stats", id: id, data: s)) + [10])
            return
        }
        var secs = Double(interval.hasSuffix("ms") ? String(interval.dropLast(2)) : interval.hasSuffix("s") ? String(interval.dropLast()) : interval) ?? 5
        if interval.hasSuffix("ms") { secs /= 1000 }
        guard secs > 0 else { throw LockerError("--interval \(interval): must be above zero") }
        var lastOOM = try Control.stats(id, store: store).memory.oom_kill
        var next = 0.0
        var elapsed = 0.0
        while true {
            guard let c = try? store.load(id), Lifecycle.status(c, store: store) != .stopped else { return }
            let s = Cgroup(paths: c.cgroupPaths).stats()
            if s.memory.oom_kill > lastOOM {
                lastOOM = s.memory.oom_kill
                try FD.writeAll(1, JSON.encode(Event<Empty>(type: "oom", id: id, data: nil)) + [10])
            }
            if elapsed >= next {
                try FD.writeAll(1, JSON.encode(Event(type: "stats", id: id, data: s)) + [10])
                next += secs
            }
            usleep(100_000)
            elapsed += 0.1
        }
    }
}
