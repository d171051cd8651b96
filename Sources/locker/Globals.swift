import Glibc
import LockerRuntime
import LockerSystem

/// runc's global flags come before the subcommand (`locker --root X --log F create ...`);
/// they are taken off here so each subcommand sees only its own.
struct Globals {
    nonisolated(unsafe) static var current = Globals()
    var root: String = StateStore.defaultRoot()
    var log: String?
    var logFormat = "text"
    var debug = false
    var trace = false
    var systemdCgroup = false
    var traceFile: String?

    var store: StateStore { StateStore(root: root) }

    /// --systemd-cgroup is accepted everywhere (engines pass it to every command) and
    /// answered where a cgroup would be made: Locker drives cgroupfs only.
    func checkCgroupDriver() throws {
        guard systemdCgroup else { return }
        if !Files.isDirectory("/run/systemd/system") {
            throw LockerError("--systemd-cgroup: systemd is not running on this host; use the cgroupfs manager (drop --systemd-cgroup)")
        }
        throw LockerError("--systemd-cgroup: Locker manages cgroups through cgroupfs only; configure the engine's cgroup manager as cgroupfs")
    }

    static func extract(_ args: [String]) throws -> [String] {
        var g = Globals()
        var rest: [String] = []
        var i = 0
        func value(_ name: String) throws -> String {
            if let (_, inline) = args[i].cut(UInt8(ascii: "=")) { return inline }
            i += 1
            guard i < args.count else { throw LockerError("flag \(name) needs a value") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            guard a.hasBytePrefix("-") else { break }
            let name = a.cut(UInt8(ascii: "="))?.before ?? a
            switch name {
            case "--root": g.root = try value(name)
            case "--log": g.log = try value(name)
            case "--log-format": g.logFormat = try value(name)
            case "--criu": _ = try value(name)
            case "--rootless": _ = try value(name)
            case "--debug": g.debug = true
            case "--systemd-cgroup": g.systemdCgroup = true
            case "--trace": g.trace = true
            case "--trace-file": g.traceFile = try value(name); g.trace = true
            default:
                rest.append(contentsOf: args[i...])
                current = g
                return rest
            }
            i += 1
        }
        rest.append(contentsOf: args[i...])
        current = g
        return rest
    }
}

/// One line on stderr (and in --log, in runc's text or JSON shape), then a non-zero exit.
enum Report {
    /// runc's codes for a command that cannot run: 127 not found, 126 not executable.
    static func exitCode(for message: String) -> Int32? {
        guard message.includes("exec: ") else { return nil }
        if message.includes("not found") || message.includes("ENOENT") { return 127 }
        if message.includes("EACCES") || message.includes("ENOEXEC") || message.includes("Permission denied") { return 126 }
        return nil
    }

    static func error(_ message: String, code: Int32 = 1) -> Never {
        let code = exitCode(for: message) ?? code
        try? FD.writeAll(2, "locker: \(message)\n")
        if let log = Globals.current.log {
            let line: String
            if Globals.current.logFormat == "json" {
                line = "{\"level\":\"error\",\"msg\":\(jsonString(message)),\"time\":\"\(timestamp())\"}\n"
            } else {
                line = "time=\"\(timestamp())\" level=error msg=\(jsonString(message))\n"
            }
            let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 { try? FD.writeAll(fd, line); close(fd) }
        }
        exit(code)
    }
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
    static func timestamp() -> String {
        var t = time(nil)
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        var buf = [CChar](repeating: 0, count: 40)
        strftime(&buf, 40, "%Y-%m-%dT%H:%M:%SZ", &tm)
        return String(cString: buf)
    }
}
