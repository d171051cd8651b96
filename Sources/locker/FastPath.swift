import Glibc

/// runc's hot commands (create, start, state, kill, delete, exec, `run -b`) as engines send
/// them, parsed by hand. ArgumentParser builds each command's argument set by reflection,
/// which cost a quarter of an `exec`; engines call these commands for every container and
/// every health check. The fast path takes only what it fully understands: any other flag,
/// `--help`, a missing value or a surplus argument returns nil, and ArgumentParser parses
/// the command as always, with its usual help and errors. Both paths call the same code.
enum FastPath {
    static func job(_ args: [String]) -> (() throws -> Void)? {
        guard let name = args.first else { return nil }
        let rest = args.dropFirst()
        switch name {
        case "start":
            guard let a = Argv.scan(rest, options: [], flags: []), a.positionals.count == 1 else { return nil }
            return { try StartCommand.start(a.positionals[0]) }
        case "state":
            guard let a = Argv.scan(rest, options: [], flags: []), a.positionals.count == 1 else { return nil }
            return { try StateCommand.state(a.positionals[0]) }
        case "kill":
            guard let a = Argv.scan(rest, options: [], flags: [("-a", "all"), ("--all", "all")]),
                  (1...2).contains(a.positionals.count) else { return nil }
            return { try KillCommand.kill(a.positionals[0], signal: a.positionals.count > 1 ? a.positionals[1] : "SIGTERM", all: a.has("all")) }
        case "delete", "rm":
            guard let a = Argv.scan(rest, options: [], flags: [("-f", "force"), ("--force", "force")]), !a.positionals.isEmpty else { return nil }
            return { try DeleteCommand.delete(a.positionals, force: a.has("force")) }
        case "create":
            guard let a = Argv.scan(rest, options: createOptions, flags: createFlags), a.positionals.count == 1,
                  let fds = Int32(a.last("preserve-fds") ?? "0") else { return nil }
            return {
                try CreateCommand.create(id: a.positionals[0], bundle: a.last("bundle") ?? ".", consoleSocket: a.last("console-socket"),
                                         pidFile: a.last("pid-file"), preserveFds: fds, noPivot: a.has("no-pivot"))
            }
        case "run":
            let flags = createFlags + [("-d", "detach"), ("--detach", "detach")]
            guard let a = Argv.scan(rest, options: createOptions, flags: flags), a.positionals.count == 1,
                  let bundle = a.last("bundle"), let fds = Int32(a.last("preserve-fds") ?? "0") else { return nil }
            return {
                try RunCommand.runOCI(id: a.positionals[0], bundle: bundle, consoleSocket: a.last("console-socket"),
                                      pidFile: a.last("pid-file"), preserveFds: fds, noPivot: a.has("no-pivot"), detach: a.has("detach"))
            }
        case "exec":
            return execJob(rest)
        default:
            return nil
        }
    }

    /// Each spelling with its canonical name. Lists, not dictionaries: a handful of entries
    /// searched once, without the hashing and storage code a Dictionary or Set brings in.
    typealias Names = [(spelling: String, name: String)]
    static let createOptions: Names = [("-b", "bundle"), ("--bundle", "bundle"), ("--console-socket", "console-socket"),
                                       ("--pid-file", "pid-file"), ("--preserve-fds", "preserve-fds")]
    static let createFlags: Names = [("--no-pivot", "no-pivot"), ("--no-new-keyring", "no-new-keyring")]

    static func execJob(_ rest: ArraySlice<String>) -> (() throws -> Void)? {
        let options: Names = [("-p", "process"), ("--process", "process"), ("--console-socket", "console-socket"),
                              ("--pid-file", "pid-file"), ("--cwd", "cwd"), ("-e", "env"), ("--env", "env"), ("-u", "user"),
                              ("--user", "user"), ("-g", "additional-gids"), ("--additional-gids", "additional-gids"),
                              ("-c", "cap"), ("--cap", "cap"), ("--preserve-fds", "preserve-fds"),
                              ("--process-label", "process-label"), ("--apparmor", "apparmor")]
        let flags: Names = [("-t", "tty"), ("--tty", "tty"), ("-i", "interactive"), ("--interactive", "interactive"),
                            ("-d", "detach"), ("--detach", "detach"), ("--no-new-privs", "no-new-privs"),
                            ("--ignore-paused", "ignore-paused")]
        // The command starts at the first word after the id; all of it belongs to the command.
        guard let a = Argv.scan(rest, options: options, flags: flags, positionalsBeforeRest: 2), !a.positionals.isEmpty else { return nil }
        var gids: [UInt32] = []
        for g in a.all("additional-gids") { guard let n = UInt32(g) else { return nil }; gids.append(n) }
        guard let fds = Int32(a.last("preserve-fds") ?? "0") else { return nil }
        var r = ExecRequest()
        r.process = a.last("process")
        r.tty = a.has("tty")
        r.interactive = a.has("interactive")
        r.consoleSocket = a.last("console-socket")
        r.detach = a.has("detach")
        r.pidFile = a.last("pid-file")
        r.cwd = a.last("cwd")
        r.env = a.all("env")
        r.user = a.last("user")
        r.additionalGids = gids
        r.cap = a.all("cap")
        r.noNewPrivs = a.has("no-new-privs")
        r.preserveFds = fds
        r.processLabel = a.last("process-label")
        r.apparmor = a.last("apparmor")
        r.ignorePaused = a.has("ignore-paused")
        r.id = a.positionals[0]
        r.command = Array(a.positionals.dropFirst())
        let request = r
        return { try request.execute() }
    }
}

/// The words of one command line, sorted into options, flags and positionals.
struct Argv {
    var positionals: [String] = []
    var values: [(String, String)] = []
    var flags: [String] = []

    func has(_ flag: String) -> Bool { flags.contains(flag) }
    func last(_ option: String) -> String? { values.last { $0.0 == option }?.1 }
    func all(_ option: String) -> [String] { values.filter { $0.0 == option }.map { $0.1 } }

    /// `options` and `flags` map each spelling to a canonical name. With
    /// `positionalsBeforeRest` = n, the n-th positional and everything after it are taken
    /// verbatim (a command and its own arguments). nil for anything not understood.
    static func scan(_ words: ArraySlice<String>, options: FastPath.Names, flags: FastPath.Names,
                     positionalsBeforeRest: Int = Int.max) -> Argv? {
        var a = Argv()
        var i = words.startIndex
        while i < words.endIndex {
            let w = words[i]
            if a.positionals.count + 1 >= positionalsBeforeRest && a.positionals.count >= 1 && !w.hasBytePrefix("-") {
                a.positionals.append(contentsOf: words[i...])
                return a
            }
            if w == "--" {
                a.positionals.append(contentsOf: words[(i + 1)...])
                return a
            }
            if w.hasBytePrefix("-") && w.utf8.count > 1 {
                var name = w
                var inline: String? = nil
                if w.utf8.dropFirst().first == UInt8(ascii: "-"), let (before, after) = w.cut(UInt8(ascii: "=")) {
                    name = before
                    inline = after
                }
                if inline == nil, let canonical = flags.first(where: { $0.spelling == name })?.name {
                    if !a.flags.contains(canonical) { a.flags.append(canonical) }
                } else if let canonical = options.first(where: { $0.spelling == name })?.name {
                    if let v = inline {
                        a.values.append((canonical, v))
                    } else {
                        i += 1
                        guard i < words.endIndex else { return nil }
                        a.values.append((canonical, words[i]))
                    }
                } else {
                    return nil
                }
            } else {
                a.positionals.append(w)
            }
            i += 1
        }
        return a
    }
}
