import ArgumentParser
import Glibc
import LockerImage
import LockerRuntime
import LockerSpec
import LockerSystem

/// `locker run` has two faces. With -b/--bundle (or a single argument and a config.json in
/// the current directory that names no image) it is runc's `run ID`. Otherwise it is
/// docker's `run IMAGE|--rootfs DIR [CMD...]`.
struct RunCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(
        commandName: "run", abstract: "Run a command in a new container.",
        discussion: """
        Two forms, told apart by their arguments:
          locker run [OPTIONS] IMAGE|--rootfs DIR [COMMAND [ARG...]]   (as docker run)
          locker run [--bundle DIR] [--detach] [--pid-file F] ID     (as runc run)
        The runc form is chosen when --bundle/-b is given, or when there is exactly one
        argument, the current directory holds a config.json, and no local image has that name.
        Options must come before IMAGE; everything after it is the container's command.
        """,
        helpNames: [.long])
    // OCI face.
    @Option(name: [.customShort("b"), .long], help: "OCI bundle: run the container ID from BUNDLE/config.json.") var bundle: String?
    @Option(name: .long) var consoleSocket: String?
    @Option(name: .long) var pidFile: String?
    @Option(name: .long) var preserveFds: Int32 = 0
    @Flag(name: .long) var noPivot = false
    @Flag(name: .long) var noNewKeyring = false
    @Flag(name: [.customShort("d"), .long], help: "Start the container and return; print its id.") var detach = false

    // docker face.
    @Flag(name: [.customShort("i"), .long], help: "Keep stdin open.") var interactive = false
    @Flag(name: [.customShort("t"), .long], help: "Give the container a terminal.") var tty = false
    @Flag(name: .long, help: "Delete the container when it exits.") var rm = false
    @Option(name: .long) var name: String?
    @Option(name: [.customShort("h"), .long]) var hostname: String?
    @Option(name: [.customShort("e"), .long], help: "KEY=VALUE (or KEY to copy Locker's own).") var env: [String] = []
    @Option(name: .long) var envFile: [String] = []
    @Option(name: [.customShort("w"), .long]) var workdir: String?
    @Option(name: [.customShort("u"), .long], help: "UID[:GID] or name[:group] from the container's /etc/passwd.") var user: String?
    @Option(name: [.customShort("v"), .long], help: "SRC:DST[:ro]") var volume: [String] = []
    @Option(name: .long, help: "DST[:options]") var tmpfs: [String] = []
    @Flag(name: .long) var readOnly = false
    @Option(name: [.long, .customLong("net")], help: "none (default: only loopback) or host.") var network = "none"
    @Option(name: .long, help: "auto, or host") var userns: String?
    @Option(name: .long, help: "CONTAINER:HOST:SIZE") var uidmap: [String] = []
    @Option(name: .long, help: "CONTAINER:HOST:SIZE") var gidmap: [String] = []
    @Option(name: .long) var capAdd: [String] = []
    @Option(name: .long) var capDrop: [String] = []
    @Flag(name: .long) var privileged = false
    @Option(name: .long) var securityOpt: [String] = []
    @Option(name: .long) var entrypoint: String?
    @Option(name: .long, help: "Use DIR as the root filesystem instead of an image.") var rootfs: String?
    @Option(name: .long, help: "missing (default: pull the image when it is not in the store), always, or never.") var pull = "missing"
    @Option(name: .long, help: "OS/ARCH[/VARIANT] to pull from a multi-platform image.") var platform: String?
    @Flag(name: [.customShort("q"), .long], help: "Pull without progress output.") var quiet = false
    @Flag(name: .long, help: "Run a minimal init as PID 1 that forwards signals and reaps zombies.") var `init` = false
    @OptionGroup var limits: LimitOptions

    @Argument(parsing: .captureForPassthrough, help: "IMAGE [COMMAND [ARG...]], or ID with --bundle.") var rest: [String] = []

    mutating func execute() throws {
        // The command is captured verbatim, so a leading --help lands there.
        if rest.first == "--help" { throw CleanExit.helpRequest(self) }
        try Globals.current.checkCgroupDriver()
        let ociMode = bundle != nil || (rest.count == 1 && rootfs == nil && Files.exists("config.json")
                                        && ImageStore().find(rest[0]) == nil)
        if ociMode { try runOCI(); return }
        // docker's convention: an error of the run command itself (not of the container) is 125.
        do { try runImage() } catch let e as ExitCode { throw e } catch let e as RunFailure { throw e } catch { throw RunFailure(error, code: 125) }
    }

    func runOCI() throws {
        guard rest.count == 1 else { throw LockerError("run --bundle takes exactly one container id") }
        try RunCommand.runOCI(id: rest[0], bundle: bundle ?? ".", consoleSocket: consoleSocket, pidFile: pidFile,
                              preserveFds: preserveFds, noPivot: noPivot, detach: detach)
    }

    /// runc's `run`: create, start, and (unless detached) wait and delete.
    static func runOCI(id: String, bundle: String, consoleSocket: String?, pidFile: String?, preserveFds: Int32,
                       noPivot: Bool, detach: Bool) throws {
        var o = CreateOptions(id: id, bundle: bundle)
        o.consoleSocket = consoleSocket
        o.pidFile = pidFile
        o.preserveFDs = preserveFds + listenFDs()
        o.noPivot = noPivot
        let store = Globals.current.store
        let spec = try Bundle.load(Bundle.absolute(o.bundle))
        o.keepConsole = spec.process?.terminal == true && consoleSocket == nil && !detach
        if detach {
            _ = try Create.run(o, store: store)
            try startOrDelete(o.id, store: store)
            return
        }
        let mask = Foreground.blockSignals()
        let created = try Create.run(o, store: store)
        try startOrDelete(o.id, store: store)
        let exit = try Foreground.wait(pid: created.pid, master: created.consoleMaster, stdinOpen: true)
        Signals.setMask(mask)
        try? Lifecycle.delete(o.id, force: true, store: store)
        throw ExitCode(exit.code)
    }

    func runImage() throws {
        var o = RunOptions()
        var args = rest
        if rootfs == nil {
            guard !args.isEmpty else { throw LockerError("run: give an image (or --rootfs DIR) and a command") }
            o.image = args.removeFirst()
        }
        o.rootfsDir = rootfs
        o.command = args
        o.entrypoint = entrypoint
        o.name = name
        o.hostname = hostname
        o.env = env
        o.envFiles = envFile
        o.workdir = workdir
        o.user = user
        o.volumes = volume
        o.tmpfs = tmpfs
        o.readOnly = readOnly
        o.terminal = tty
        o.interactive = interactive
        o.network = network
        o.userns = userns
        o.uidmap = uidmap
        o.gidmap = gidmap
        o.capAdd = capAdd
        o.capDrop = capDrop
        o.privileged = privileged
        o.securityOpts = securityOpt
        o.resources = try limits.resources()
        o.init_ = `init`
        guard ["missing", "always", "never"].contains(pull) else { throw LockerError("--pull \(pull.debugDescription): want missing, always or never") }
        o.pull = pull
        if let p = platform { o.pullOptions.platform = try Platform.parse(p) }
        o.pullOptions.quiet = quiet
        if detach && rm { throw LockerError("--rm and --detach together: a detached container is removed with `locker delete`") }

        let store = Globals.current.store
        let images = ImageStore()
        let plan: RunPlan
        do { plan = try RunPlan.make(o, images: images, store: store) } catch { throw RunFailure(error, code: 125) }

        var c = CreateOptions(id: plan.id, bundle: plan.bundle)
        c.useInit = `init`
        c.keepConsole = tty && !detach
        let logPath = plan.bundle + "/container.log"
        var opened: [Int32] = []
        if detach {
            let log = try sys("open", logPath) { open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640) }
            let null = try sys("open", "/dev/null") { open("/dev/null", O_RDONLY | O_CLOEXEC) }
            opened = [log, null]
            c.stdio = (null, log, log)
            if tty { c.consoleSocket = nil; c.keepConsole = true }
        } else if !interactive && !tty {
            let null = try sys("open", "/dev/null") { open("/dev/null", O_RDONLY | O_CLOEXEC) }
            opened = [null]
            c.stdio = (null, 1, 2)
        }
        let rootfsMount = plan.rootfsMount
        let image = plan.image
        let command = plan.spec.process?.args
        let cname = name
        c.decorate = { s in
            s.managedBundle = true
            s.rootfsMount = rootfsMount
            s.image = image
            s.command = command
            s.name = cname
            s.logPath = detach ? logPath : nil
        }

        let mask = Foreground.blockSignals()
        let created: CreatedContainer
        do {
            created = try Create.run(c, spec: plan.spec, bundle: plan.bundle, store: store)
        } catch {
            plan.discard()
            Signals.setMask(mask)
            throw RunFailure(error, code: 125)
        }
        for fd in opened { close(fd) }
        try RunCommand.startOrDelete(plan.id, store: store)
        if detach {
            if let m = created.consoleMaster { close(m) }
            print(plan.id)
            return
        }
        let exit = try Foreground.wait(pid: created.pid, master: created.consoleMaster, stdinOpen: interactive)
        Signals.setMask(mask)
        if exit == .signaled(SIGKILL), let why = oomKilled(store: store, id: plan.id) {
            try? FD.writeAll(2, "locker: container \(plan.id) was killed by the kernel's OOM killer (\(why))\n")
        }
        if rm { try? Lifecycle.delete(plan.id, force: true, store: store) }
        throw ExitCode(exit.code)
    }

    /// A container that cannot start is not left behind by `run`.
    static func startOrDelete(_ id: String, store: StateStore) throws {
        do { try Lifecycle.start(id, store: store) } catch {
            try? Lifecycle.delete(id, force: true, store: store)
            throw error
        }
    }

    func oomKilled(store: StateStore, id: String) -> String? {
        guard let c = try? store.load(id), let mem = c.cgroupPaths.first(where: { $0.includes("/memory/") || Files.exists($0 + "/memory.events") }) else { return nil }
        if let s = try? Files.readString(mem + "/memory.oom_control"), let line = s.split(separator: "\n").first(where: { $0.hasPrefix("oom_kill ") }),
           let n = Int(line.split(separator: " ").last ?? ""), n > 0 { return "memory limit reached" }
        if let s = try? Files.readString(mem + "/memory.events"), let line = s.split(separator: "\n").first(where: { $0.hasPrefix("oom_kill ") }),
           let n = Int(line.split(separator: " ").last ?? ""), n > 0 { return "memory limit reached" }
        return nil
    }
}

/// An error from docker-style run carries docker's exit codes: 125 for Locker's own failure,
/// 127 when the command cannot be found.
struct RunFailure: Error, CustomStringConvertible {
    let error: Error
    let code: Int32
    init(_ error: Error, code: Int32) { self.error = error; self.code = code }
    var description: String { "\(error)" }
}

/// docker's resource flags, shared by run and update.
struct LimitOptions: ParsableArguments {
    @Option(name: [.customShort("m"), .long], help: "Memory limit (e.g. 256m).") var memory: String?
    @Option(name: .long, help: "Memory plus swap (-1 for unlimited).") var memorySwap: String?
    @Option(name: .long) var memoryReservation: String?
    @Option(name: .long) var memorySwappiness: UInt64?
    @Flag(name: .long) var oomKillDisable = false
    @Option(name: .long, help: "CPUs (e.g. 1.5): quota over a 100ms period.") var cpus: Double?
    @Option(name: [.customShort("c"), .long]) var cpuShares: UInt64?
    @Option(name: .long) var cpuQuota: Int64?
    @Option(name: .long) var cpuPeriod: UInt64?
    @Option(name: .long) var cpusetCpus: String?
    @Option(name: .long) var cpusetMems: String?
    @Option(name: .long) var pidsLimit: Int64?

    func resources() throws -> Resources {
        var r = Resources()
        func size(_ s: String?, _ flag: String) throws -> Int64? {
            guard let s else { return nil }
            if s == "-1" { return -1 }
            guard let v = Sizes.parse(s) else { throw LockerError("--\(flag) \(s.debugDescription): not a size (e.g. 512k, 256m, 1g)") }
            return v
        }
        var mem = Resources.Memory()
        mem.limit = try size(memory, "memory")
        mem.swap = try size(memorySwap, "memory-swap")
        mem.reservation = try size(memoryReservation, "memory-reservation")
        mem.swappiness = memorySwappiness
        if oomKillDisable { mem.disableOOMKiller = true }
        if let l = mem.limit, l >= 0, l < 6 * 1024 * 1024 / 6 / 1024 { throw LockerError("--memory \(memory!): minimum memory limit is 1k") }
        if let s = mem.swap, s >= 0, let l = mem.limit, s < l { throw LockerError("--memory-swap \(memorySwap!): must be at least --memory") }
        if mem != Resources.Memory() { r.memory = mem }
        var cpu = Resources.CPU()
        if let c = cpus {
            guard c > 0 && c.isFinite else { throw LockerError("--cpus \(c): must be above 0") }
            cpu.period = 100_000
            cpu.quota = Int64(c * 100_000)
        }
        if let q = cpuQuota { cpu.quota = q }
        if let p = cpuPeriod { cpu.period = p }
        cpu.shares = cpuShares
        cpu.cpus = cpusetCpus
        cpu.mems = cpusetMems
        if cpu != Resources.CPU() { r.cpu = cpu }
        if let p = pidsLimit { r.pids = .init(limit: p) }
        return r
    }
}
