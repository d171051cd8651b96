import Glibc
import LockerSpec
import LockerSystem

/// A client for one registry (OCI Distribution, registry v2): the scheme, the
/// authentication handshake (anonymous, basic, or Bearer tokens from the realm the
/// registry names) and GETs of manifests and blobs.
public final class Registry {
    public let host: String
    let repository: String
    let credentials: String?
    let insecure: Bool
    let scratch: String
    var base = ""
    var authorization: String?

    public init(host: String, repository: String, credentials: String?, insecure: Bool, scratch: String) {
        self.host = host
        self.repository = repository
        self.credentials = credentials
        self.insecure = insecure
        self.scratch = scratch
    }

    /// `GET /v2/`: picks the scheme (https; plain http only for loopback or insecure
    /// registries) and answers the authentication challenge, if any.
    public func connect() throws {
        var lastError: Error? = nil
        for scheme in insecure ? ["https", "http"] : ["https"] {
            var r = HTTPRequest(url: "\(scheme)://\(host)/v2/")
            r.insecure = insecure
            do {
                let resp = try HTTP.fetch(r, scratch: scratch)
                base = "\(scheme)://\(host)"
                if resp.status == 401 { try authenticate(resp, scope: "repository:\(repository):pull") }
                else if resp.status >= 400 { throw LockerError("registry \(host): GET /v2/ answered \(resp.status)") }
                return
            } catch let e as TransferError {
                lastError = e
                continue
            }
        }
        throw LockerError("registry \(host): \(lastError.map { "\($0)" } ?? "unreachable")")
    }

    /// `login`: the credentials must open the registry (basic) or get a token (Bearer).
    public func verifyLogin() throws {
        try connect()
        guard authorization != nil else { return }
        let resp = try HTTP.fetch(request("/v2/"), scratch: scratch)
        if resp.status == 401 { throw LockerError("login to \(host) failed: the registry refused the credentials (401)") }
        try Registry.check(resp, what: "login to \(host)")
    }

    func authenticate(_ resp: HTTPResponse, scope: String) throws {
        guard let header = resp.header("WWW-Authenticate"), let c = Challenge.parse(header) else {
            throw LockerError("registry \(host): 401 without a WWW-Authenticate challenge")
        }
        switch c.scheme {
        case "basic":
            guard let cred = credentials else {
                throw LockerError("registry \(host) wants a user name and password: run `locker login \(host)`")
            }
            authorization = "Basic " + Base64.encode(Array(cred.utf8))
        case "bearer":
            guard let realm = c.params["realm"] else { throw LockerError("registry \(host): Bearer challenge without a realm") }
            var url = realm + (realm.contains("?") ? "&" : "?")
            var q: [String] = []
            if let s = c.params["service"] { q.append("service=" + Registry.percent(s)) }
            q.append("scope=" + Registry.percent(c.params["scope"] ?? scope))
            url += q.joined(separator: "&")
            var r = HTTPRequest(url: url)
            r.basicAuth = credentials
            r.insecure = insecure
            let t = try HTTP.fetch(r, scratch: scratch)
            guard t.status == 200 else {
                if t.status == 401 || t.status == 403 {
                    throw LockerError("registry \(host): access to \(repository) denied by the token server (\(t.status))" +
                                      (credentials == nil ? "; run `locker login \(host)`" : "; check the credentials"))
                }
                throw LockerError("registry \(host): token server answered \(t.status)")
            }
            struct Token: Codable { var token: String?; var access_token: String? }
            let tok = try JSON.decode(Token.self, from: t.body, file: "token from \(realm)")
            guard let value = tok.token ?? tok.access_token else { throw LockerError("registry \(host): token server sent no token") }
            authorization = "Bearer " + value
        default:
            throw LockerError("registry \(host): unsupported authentication scheme \(c.scheme)")
        }
    }

    static func percent(_ s: String) -> String {
        var o = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || "-._~".utf8.contains(b) {
                o.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                o += "%" + String(b, radix: 16, uppercase: true).leftPad(2)
            }
        }
        return o
    }

    func request(_ path: String, accept: [String] = []) -> HTTPRequest {
        var r = HTTPRequest(url: base + path)
        if !accept.isEmpty { r.headers.append("Accept: " + accept.joined(separator: ", ")) }
        if let a = authorization { r.headers.append("Authorization: " + a) }
        r.insecure = insecure
        return r
    }

    /// A small document (manifest, index), with one re-authentication on 401.
    public func getDocument(_ path: String, accept: [String], what: String) throws -> HTTPResponse {
        do {
            var resp = try HTTP.fetch(request(path, accept: accept), scratch: scratch)
            if resp.status == 401 {
                try authenticate(resp, scope: "repository:\(repository):pull")
                resp = try HTTP.fetch(request(path, accept: accept), scratch: scratch)
            }
            try Registry.check(resp, what: what)
            return resp
        } catch let e as TransferError {
            throw LockerError("\(what): \(e)")
        }
    }

    static func check(_ resp: HTTPResponse, what: String) throws {
        switch resp.status {
        case 200, 206: return
        case 401, 403: throw LockerError("\(what): access denied (\(resp.status)); run `locker login` with an account that may pull it")
        case 404: throw LockerError("\(what): not found (404)")
        case 416: throw LockerError("\(what): the registry refused to resume (416)")
        default:
            let detail = String(decoding: resp.body.prefix(200), as: UTF8.self).trimmingCharacters()
            throw LockerError("\(what): the registry answered \(resp.status)\(detail.isEmpty ? "" : ": " + detail)")
        }
    }

    /// Starts fetching a blob into `partial`, resuming from what is already there.
    public func startBlob(_ d: Digest, into partial: String) throws -> HTTP.Running {
        var r = request("/v2/\(repository)/blobs/\(d)")
        r.resume = Files.exists(partial)
        return try HTTP.start(r, output: partial)
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
