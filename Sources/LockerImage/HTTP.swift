import Glibc
import LockerSystem

/// HTTP through curl, the command-line tool: TLS, proxies, redirects, resumable downloads
/// and stall detection come from a well-kept program instead of code of our own, and the
/// runtime binary stays free of a TLS stack. Requests are written to curl's stdin as a
/// config file (`-K -`), so credentials never appear in a process listing.
public struct HTTPResponse {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public func header(_ name: String) -> String? {
        headers.last { $0.0.lowercased() == name.lowercased() }?.1
    }
}

public struct HTTPRequest {
    public var url: String
    public var headers: [String] = []
    /// `user:password` for basic auth.
    public var basicAuth: String?
    /// With an output file: resume from its current size (`Range`).
    public var resume = false
    /// Skip certificate checks (registries the user marked insecure).
    public var insecure = false
    public init(url: String) { self.url = url }
}

public enum HTTP {
    static let curl = "/usr/bin/curl"

    /// A request that is running: its body goes to `output`.
    public final class Running {
        public let pid: Int32
        public let output: String
        let meta: String
        /// curl's exit, once `done` has seen it.
        var exit: Proc.Exit?
        init(pid: Int32, output: String, meta: String) { self.pid = pid; self.output = output; self.meta = meta }

        /// Whether curl has finished (without blocking).
        public func done() -> Bool {
            if exit != nil { return true }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return false }
            exit = Proc.decode(status)
            return true
        }
    }

    static func config(_ r: HTTPRequest, output: String, meta: String) -> [UInt8] {
        func q(_ s: String) -> String {
            var o = "\""
            for c in s.unicodeScalars {
                switch c {
                case "\"": o += "\\\""
                case "\\": o += "\\\\"
                case "\n", "\r": break
                default: o.unicodeScalars.append(c)
                }
            }
            return o + "\""
        }
        var lines = ["url = \(q(r.url))", "output = \(q(output))", "dump-header = \(q(meta + ".headers"))",
                     "write-out = \"%{http_code}\"", "silent", "show-error", "location", "max-redirs = 5",
                     "connect-timeout = 15", "speed-limit = 1", "speed-time = \(stallSeconds)", "globoff", "proto-redir = =http,https"]
        for h in r.headers { lines.append("header = \(q(h))") }
        if let u = r.basicAuth { lines.append("user = \(q(u))") }
        if r.resume { lines.append("continue-at = -") }
        if r.insecure { lines.append("insecure") }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// A transfer that moves nothing for this long is given up (and resumed once):
    /// LOCKER_PULL_STALL_SECONDS, 30 by default.
    static var stallSeconds: Int {
        getenv("LOCKER_PULL_STALL_SECONDS").flatMap { Int(String(cString: $0)) }.map { max(1, $0) } ?? 30
    }

    static var environment: [String] {
        var env = ["PATH=/usr/bin:/bin"]
        for k in ["http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"] {
            if let v = getenv(k) { env.append(k + "=" + String(cString: v)) }
        }
        return env
    }

    /// Starts a download of `r` into `output` and returns at once.
    public static func start(_ r: HTTPRequest, output: String) throws -> Running {
        guard Files.exists(curl) else { throw LockerError("curl is needed to talk to registries: install Debian's curl package") }
        let meta = output + ".http"
        let pid = try Spawn.start(curl, args: ["curl", "-q", "-K", "-"], env: environment,
                                  stdin: config(r, output: output, meta: meta), stdoutPath: meta, stderrPath: meta + ".err")
        return Running(pid: pid, output: output, meta: meta)
    }

    /// Waits for a running request; the body stays in its output file.
    public static func finish(_ run: Running) throws -> HTTPResponse {
        let exit = try run.exit ?? Proc.wait(run.pid)
        defer { for s in ["", ".headers", ".err"] { unlink(run.meta + s) } }
        let code = Int((try? Files.readString(run.meta))?.trimmingCharacters() ?? "") ?? 0
        let headers = parseHeaders((try? Files.readString(run.meta + ".headers")) ?? "")
        if exit != .exited(0) {
            let err = ((try? Files.readString(run.meta + ".err")) ?? "").trimmingCharacters()
            throw TransferError(code: exit.code, status: code, message: err.isEmpty ? "curl exited \(exit.code)" : err)
        }
        return HTTPResponse(status: code, headers: headers, body: [])
    }

    /// A small request whose body is kept in memory (manifests, tokens, pings).
    public static func fetch(_ r: HTTPRequest, scratch: String) throws -> HTTPResponse {
        let out = scratch + "/req.\(getpid()).\(Scratch.next())"
        defer { unlink(out) }
        var resp = try finish(try start(r, output: out))
        resp.body = (try? Files.read(out)) ?? []
        return resp
    }

    /// The headers of the last response (after redirects), names as sent.
    static func parseHeaders(_ text: String) -> [(String, String)] {
        var blocks: [[(String, String)]] = [[]]
        // "\r\n" is one Character in Swift: split on either form.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.hasPrefix("HTTP/") { blocks.append([]); continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingCharacters()
            blocks[blocks.count - 1].append((name, value))
        }
        return blocks.last ?? []
    }
}

/// A transfer that did not complete: curl's exit code says how.
public struct TransferError: Error, CustomStringConvertible {
    public let code: Int32
    public let status: Int
    public let message: String
    public var description: String {
        switch code {
        case 28: return "the transfer stalled or timed out (\(message))"
        case 18, 56: return "the connection was cut (\(message))"
        case 7: return "cannot connect (\(message))"
        default: return message
        }
    }
    /// Worth retrying or resuming.
    public var isTransient: Bool { [18, 28, 52, 55, 56, 92].contains(code) }
}

/// A process-wide counter for unique scratch names.
enum Scratch {
    nonisolated(unsafe) static var n = 0
    static func next() -> Int { n += 1; return n }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
