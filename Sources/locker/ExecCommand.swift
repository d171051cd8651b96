import ArgumentParser
import Glibc
import LockerRuntime
import LockerSpec
import LockerSystem

/// runc's `exec`, which also serves people: `locker exec -it ID sh`.
struct ExecCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "exec", abstract: "Run a new process in a running container.")
    @Option(name: [.customShort("p"), .long], help: "process.json: the OCI process to run.") var process: String?
    @Flag(name: [.customShort("t"), .long], help: "Give the process a terminal.") var tty = false
    @Flag(name: [.customShort("i"), .long], help: "Keep stdin open (with -t: relay it to the terminal).") var interactive = false
    @Option(name: .long) var consoleSocket: String?
    @Flag(name: [.customShort("d"), .long]) var detach = false
    @Option(name: .long) var pidFile: String?
    @Option(name: .long) var cwd: String?
    @Option(name: [.customShort("e"), .long]) var env: [String] = []
    @Option(name: [.customShort("u"), .long], help: "UID[:GID]") var user: String?
    @Option(name: [.customShort("g"), .long]) var additionalGids: [UInt32] = []
    @Option(name: [.customShort("c"), .long], help: "Add a capability.") var cap: [String] = []
    @Flag(name: .long) var noNewPrivs = false
    @Option(name: .long) var preserveFds: Int32 = 0
    @Option(name: .long) var processLabel: String?
    @Option(name: .long) var apparmor: String?
    @Flag(name: .long) var ignorePaused = false
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough) var command: [String] = []

    mutating func execute() throws {
        try ExecRequest(process: process, tty: tty, interactive: interactive, consoleSocket: consoleSocket, detach: detach, pidFile: pidFile, cwd: cwd, env: env, user: user, additionalGids: additionalGids, cap: cap, noNewPrivs: noNewPrivs, preserveFds: preserveFds, processLabel: processLabel, apparmor: apparmor, ignorePaused: ignorePaused, id: id, command: command).execute()
    }
}

/// What `exec` was asked, apart from how it was parsed: ArgumentParser (ExecCommand) or,
/// on the hot path, FastPath.
struct ExecRequest {
    var process: String?
    var tty = false
    var interactive = false
    var consoleSocket: String?
    var detach = false
    var pidFile: String?
    var cwd: String?
    var env: [String] = []
    var user: String?
    var additionalGids: [UInt32] = []
    var cap: [String] = []
    var noNewPrivs = false
    var preserveFds: Int32 = 0
    var processLabel: String?
    var apparmor: String?
    var ignorePaused = false
    var id = ""
    var command: [String] = []

    func execute() throws {
        let store = Globals.current.store
        var p: Spec.Process
        var defaults: ExecDefaults? = nil
        if let file = process {
            p = try JSON.decode(Spec.Process.self, from: Files.read(file), file: file)
        } else {
            let c = try store.load(id)
            defaults = try? ExecDefaults.load(c, store: store)
            let base = defaults?.process
            p = base ?? Spec.Process(args: nil, env: [Defaults.path])
            p.args = command
            p.terminal = tty
            p.consoleSize = nil
            if let cwd { p.cwd = cwd }
            for e in env {
                let key = e.split(separator: "=", maxSplits: 1).first.map { $0 + "=" } ?? e
                p.env = (p.env ?? []).filter { !$0.hasPrefix(key) } + [e]
            }
            if let user {
                let parts = user.split(separator: ":").map { UInt32($0) }
                guard let uid = parts.first ?? nil, parts.allSatisfy({ $0 != nil }) else { throw LockerError("--user \(user.debugDescription): want UID[:GID]") }
                p.user.uid = uid
                p.user.gid = parts.count > 1 ? parts[1]! : p.user.gid
            }
            if !additionalGids.isEmpty { p.user.additionalGids = additionalGids }
            if !cap.isEmpty {
                var caps = p.capabilities ?? Spec.Capabilities()
                for name in cap {
                    guard let n = Capability.number(name) else { throw LockerError("--cap \(name.debugDescription): unknown capability") }
                    let full = Capability.names[n]
                    for kp in [\Spec.Capabilities.bounding, \.effective, \.permitted] where !(caps[keyPath: kp] ?? []).contains(full) {
                        caps[keyPath: kp] = (caps[keyPath: kp] ?? []) + [full]
                    }
                }
                p.capabilities = caps
            }
            if noNewPrivs { p.noNewPrivileges = true }
            if let l = processLabel { p.selinuxLabel = l }
            if let a = apparmor { p.apparmorProfile = a }
        }
        if p.terminal == true, p.consoleSize == nil, isatty(0) == 1, let ws = Terminal.windowSize(0) {
            p.consoleSize = Spec.ConsoleSize(height: ws.ws_row, width: ws.ws_col)
        }
        var o = ExecOptions(id: id, process: p)
        o.defaults = defaults
        o.consoleSocket = consoleSocket
        o.pidFile = pidFile
        o.preserveFDs = preserveFds + listenFDs()
        o.ignorePaused = ignorePaused
        o.keepConsole = p.terminal == true && consoleSocket == nil && !detach
        if detach {
            _ = try Exec.run(o, store: store)
            return
        }
        let mask = Foreground.blockSignals()
        let started = try Exec.run(o, store: store)
        let exit = try Foreground.wait(pid: started.pid, master: started.consoleMaster, stdinOpen: interactive || process != nil)
        Signals.setMask(mask)
        throw ExitCode(exit.code)
    }
}
