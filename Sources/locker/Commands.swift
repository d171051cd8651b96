import ArgumentParser
import Glibc
import LockerImage
import LockerRuntime
import LockerSpec
import LockerSystem

/// Subcommands do their work in `execute`, synchronously; errors go to `Report`.
protocol LockerCommand: ParsableCommand {
    mutating func execute() throws
}
extension LockerCommand {
    mutating func run() throws { try execute() }
}

struct Locker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locker",
        abstract: "Containers are processes with isolation: a daemonless runtime and an OCI runtime with runc's command line.",
        discussion: "Global flags before the command: --root DIR, --log FILE, --log-format text|json, --debug, --systemd-cgroup, --trace, --trace-file FILE.",
        version: "locker 0.1.0\nspec: \(Spec.version)",
        subcommands: [SpecCommand.self, CreateCommand.self, StartCommand.self, StateCommand.self, KillCommand.self,
                      DeleteCommand.self, ListCommand.self, RunCommand.self, PullCommand.self, ImportCommand.self, ImagesCommand.self, RmiCommand.self, ImageCommand.self, SaveCommand.self, ExportCommand.self, LoginCommand.self, LogoutCommand.self, StopCommand.self, LogsCommand.self, InspectCommand.self, PauseCommand.self, ResumeCommand.self, UpdateCommand.self, StatsCommand.self, EventsCommand.self, ExecCommand.self, PsCommand.self, FeaturesCommand.self]
    )
}

struct SpecCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "spec", abstract: "Write a new config.json for a bundle.")
    @Option(name: [.customShort("b"), .long], help: "Bundle directory to write config.json in.") var bundle: String = "."
    @Flag(help: "A config for a rootless container (a user namespace mapping the caller's ids).") var rootless = false

    mutating func execute() throws {
        let path = Files.join(bundle, "config.json")
        if Files.exists(path) { throw LockerError("File \(path) exists. Remove it first") }
        let spec = Defaults.spec(rootless: rootless ? (getuid(), getgid()) : nil)
        try Files.write(path, JSON.encode(spec, pretty: true) + [10], mode: 0o644)
    }
}

struct CreateCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "create", abstract: "Create a container; its process waits for start.")
    @Argument(help: "Container id.") var id: String
    @Option(name: [.customShort("b"), .long], help: "Bundle directory.") var bundle: String = "."
    @Option(name: .long, help: "Unix socket to send the pty master to when process.terminal is true.") var consoleSocket: String?
    @Option(name: .long, help: "File to write the container process's pid to.") var pidFile: String?
    @Option(name: .long, help: "Pass N more descriptors (3 onwards) to the container.") var preserveFds: Int32 = 0
    @Flag(name: .long, help: "Do not use pivot_root (for a rootfs on ramfs).") var noPivot = false
    @Flag(name: .long, help: "Accepted for runc compatibility; no session keyring is made.") var noNewKeyring = false

    mutating func execute() throws {
        try CreateCommand.create(id: id, bundle: bundle, consoleSocket: consoleSocket, pidFile: pidFile,
                                 preserveFds: preserveFds, noPivot: noPivot)
    }

    static func create(id: String, bundle: String, consoleSocket: String?, pidFile: String?, preserveFds: Int32, noPivot: Bool) throws {
        try Globals.current.checkCgroupDriver()
        var o = CreateOptions(id: id, bundle: bundle)
        o.consoleSocket = consoleSocket
        o.pidFile = pidFile
        o.preserveFDs = preserveFds + listenFDs()
        o.noPivot = noPivot
        _ = try Create.run(o, store: Globals.current.store)
    }
}

/// systemd socket activation: LISTEN_FDS descriptors pass through like --preserve-fds.
func listenFDs() -> Int32 {
    guard let v = getenv("LISTEN_FDS"), let n = Int32(String(cString: v)), n > 0 else { return 0 }
    return n
}

struct StartCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "start", abstract: "Start a created container.")
    @Argument var id: String
    mutating func execute() throws { try StartCommand.start(id) }
    static func start(_ id: String) throws { try Lifecycle.start(id, store: Globals.current.store) }
}

struct StateCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "state", abstract: "Print a container's state as JSON.")
    @Argument var id: String
    mutating func execute() throws { try StateCommand.state(id) }
    static func state(_ id: String) throws {
        let s = try Lifecycle.state(id, store: Globals.current.store)
        try FD.writeAll(1, JSON.encode(s, pretty: true) + [10])
    }
}

struct KillCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "kill", abstract: "Send a signal to a container's process (default SIGTERM).")
    @Argument var id: String
    @Argument var signal: String = "SIGTERM"
    @Flag(name: [.customShort("a"), .long], help: "Signal every process in the container's cgroup.") var all = false
    mutating func execute() throws { try KillCommand.kill(id, signal: signal, all: all) }
    static func kill(_ id: String, signal: String, all: Bool) throws {
        guard let sig = Signals.parse(signal) else { throw LockerError("unknown signal \(signal.debugDescription)") }
        try Lifecycle.kill(id, signal: sig, all: all, store: Globals.current.store)
    }
}

struct DeleteCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "delete", abstract: "Delete a container and everything it holds.", aliases: ["rm"])
    @Argument var ids: [String]
    @Flag(name: [.customShort("f"), .long], help: "Kill the container first if it still runs.") var force = false
    mutating func execute() throws { try DeleteCommand.delete(ids, force: force) }
    static func delete(_ ids: [String], force: Bool) throws {
        var failed = false
        for id in ids {
            do { try Lifecycle.delete(id, force: force, store: Globals.current.store) } catch {
                try? FD.writeAll(2, "locker: \(error)\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct ListCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "list", abstract: "List containers.")
    @Option(name: [.customShort("f"), .long], help: "table or json") var format = "table"
    @Flag(name: [.customShort("q"), .long], help: "Only ids.") var quiet = false
    mutating func execute() throws {
        let store = Globals.current.store
        var reports: [StateReport] = []
        for id in store.ids() {
            if let c = try? store.load(id) { reports.append(StateReport(c, status: Lifecycle.status(c, store: store))) }
        }
        if quiet { for r in reports { print(r.id) }; return }
        if format == "json" {
            try FD.writeAll(1, JSON.encode(reports) + [10])
            return
        }
        var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
        for r in reports { rows.append([r.id, "\(r.pid)", r.status, r.bundle, r.created, r.owner]) }
        printTable(rows)
    }
}

func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    var widths = first.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    for r in rows {
        var line = ""
        for (i, c) in r.enumerated() {
            line += i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 3)
        }
        print(line)
    }
}

struct InspectCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "inspect", abstract: "Show a container from the host's side (pid, namespaces, mounts, id maps, cgroups), or an image.")
    @Argument(help: "A container id, or an image when no container has that id.") var id: String
    mutating func execute() throws {
        let store = Globals.current.store
        if (try? Validation.validateID(id)) == nil || !Files.exists(store.stateFile(id)), ImageStore().find(id) != nil {
            try ImageInspection.print(id)
            return
        }
        let i = try Inspection.of(id, store: store)
        try FD.writeAll(1, JSON.encode(i, pretty: true) + [10])
    }
}

extension CommandConfiguration {
    /// A subcommand's configuration. It names `locker` as its parent so that main.swift
    /// can parse it on its own (see `Dispatch`) with help and usage still saying `locker NAME`.
    static func sub(commandName: String, abstract: String = "", discussion: String = "", subcommands: [ParsableCommand.Type] = [],
                    helpNames: NameSpecification? = nil, aliases: [String] = []) -> CommandConfiguration {
        var c = CommandConfiguration(commandName: commandName, abstract: abstract, discussion: discussion, subcommands: subcommands,
                                     helpNames: helpNames, aliases: aliases)
        c._superCommandName = "locker"
        return c
    }
}

/// docker's `stop`: the image's stop signal (or SIGTERM), then SIGKILL after a grace period.
struct StopCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "stop", abstract: "Stop containers: their stop signal, then SIGKILL after --time seconds.")
    @Option(name: [.customShort("t"), .long], help: "Seconds to wait before SIGKILL.") var time: Int = 10
    @Argument var ids: [String]
    mutating func execute() throws {
        let store = Globals.current.store
        var failed = false
        for id in ids {
            do {
                let c = try store.load(id)
                let name = c.annotations?["org.opencontainers.image.stopSignal"] ?? "SIGTERM"
                guard let sig = Signals.parse(name) else { throw LockerError("container \(id): unknown stop signal \(name.debugDescription)") }
                if Lifecycle.status(c, store: store) != .stopped {
                    try Lifecycle.kill(id, signal: sig, all: false, store: store)
                    var waited = 0
                    while Lifecycle.status(c, store: store) != .stopped && waited < time * 10 { usleep(100_000); waited += 1 }
                    if Lifecycle.status(c, store: store) != .stopped { try Lifecycle.kill(id, signal: SIGKILL, all: true, store: store) }
                }
                print(id)
            } catch {
                try? FD.writeAll(2, "locker: \(error)\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
