/// Checks a decoded config for what the decoder cannot: each error names the field.
/// (Lists rather than Sets: a few names, searched once per create, without the hashing and
/// storage code a Set would fault in for it.)
public enum Validation {
    public static let namespaceTypes: [String] = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"]
    public static let rlimitTypes: [String] = [
        "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS", "RLIMIT_MEMLOCK",
        "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS", "RLIMIT_RTPRIO",
        "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
    ]

    public static func validate(_ spec: Spec, requireProcess: Bool = true) throws {
        guard let root = spec.root, !root.path.isEmpty else { throw SpecError("config.json: root.path: required field is missing") }
        if requireProcess {
            guard let p = spec.process else { throw SpecError("config.json: process: required to create a container") }
            guard let args = p.args, !args.isEmpty, !args[0].isEmpty else {
                throw SpecError("config.json: process.args: must name at least the program to run")
            }
            if p.cwd.utf8.first != UInt8(ascii: "/") { throw SpecError("config.json: process.cwd: \(p.cwd.debugDescription) is not an absolute path") }
            for (i, e) in (p.env ?? []).enumerated() where !e.utf8.contains(UInt8(ascii: "=")) {
                throw SpecError("config.json: process.env[\(i)]: \(e.debugDescription) is not KEY=VALUE")
            }
            var seen: [String] = []
            for (i, r) in (p.rlimits ?? []).enumerated() {
                if !rlimitTypes.contains(r.type) { throw SpecError("config.json: process.rlimits[\(i)].type: unknown rlimit \(r.type.debugDescription)") }
                if r.soft > r.hard { throw SpecError("config.json: process.rlimits[\(i)]: soft limit \(r.soft) is above hard limit \(r.hard)") }
                if seen.contains(r.type) { throw SpecError("config.json: process.rlimits[\(i)].type: \(r.type) is given twice") }
                seen.append(r.type)
            }
        }
        var seenNS: [String] = []
        for (i, ns) in (spec.linux?.namespaces ?? []).enumerated() {
            if !namespaceTypes.contains(ns.type) { throw SpecError("config.json: linux.namespaces[\(i)].type: unknown namespace \(ns.type.debugDescription)") }
            if seenNS.contains(ns.type) { throw SpecError("config.json: linux.namespaces[\(i)].type: \(ns.type) is given twice") }
            seenNS.append(ns.type)
        }
        for (i, m) in (spec.mounts ?? []).enumerated() where m.destination.utf8.first != UInt8(ascii: "/") {
            throw SpecError("config.json: mounts[\(i)].destination: \(m.destination.debugDescription) is not an absolute path")
        }
        let hasUserNS = seenNS.contains("user")
        if !hasUserNS && (!(spec.linux?.uidMappings ?? []).isEmpty || !(spec.linux?.gidMappings ?? []).isEmpty) {
            throw SpecError("config.json: linux.uidMappings: id mappings need a user namespace in linux.namespaces")
        }
        if spec.hostname != nil && !(spec.hostname ?? "").isEmpty && !seenNS.contains("uts") {
            throw SpecError("config.json: hostname: setting a hostname needs a uts namespace in linux.namespaces")
        }
        if let path = spec.linux?.cgroupsPath, path.utf8.containsDotDot {
            throw SpecError("config.json: linux.cgroupsPath: \(path.debugDescription) must not contain ..")
        }
    }

    /// Container ids: what runc accepts, letters, digits and `_+-.`, no path tricks.
    public static func validateID(_ id: String) throws {
        if id.isEmpty { throw SpecError("container id must not be empty") }
        if id == "." || id == ".." || id.count > 1024 { throw SpecError("invalid container id \(id.debugDescription)") }
        for c in id.unicodeScalars {
            let ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "+" || c == "-" || c == "."
            if !ok { throw SpecError("invalid container id \(id.debugDescription): use letters, digits and _+-. only") }
        }
    }
}

extension String.UTF8View {
    /// Two dots in a row anywhere. (Byte-wise: `String.contains(String)` comes from
    /// _StringProcessing, whose first use makes the runtime scan every protocol conformance.)
    var containsDotDot: Bool {
        var previous: UInt8 = 0
        for b in self {
            if b == UInt8(ascii: "."), previous == b { return true }
            previous = b
        }
        return false
    }
}
