import Glibc
import LockerSpec
import LockerSystem

/// What `exec` inherits from the container's config: the process (env, user, capabilities,
/// rlimits, labels, no_new_privs) and the compiled seccomp filter. `create` writes it next to
/// state.json, so `exec` (the hot path of every health check) reads one small file instead
/// of decoding the whole config.json and recompiling or rehashing the seccomp profile.
/// It can always be rebuilt from config.json, so it is written without fsync and rebuilt
/// when missing or unreadable.
public struct ExecDefaults: Codable {
    public var process: Spec.Process?
    /// The cached BPF program (`<root>/seccomp-cache/<key>.bpf`), its flags, and whether
    /// it has a notify action; nil without seccomp.
    public var seccompProgram: String?
    public var seccompFlags: UInt32?
    public var seccompNotify: Bool?
    public var listenerPath: String?
    public var listenerMetadata: String?

    static func file(_ store: StateStore, _ id: String) -> String { store.directory(id) + "/exec.json" }

    static func make(_ spec: Spec, compiled: Seccomp.Compiled?) -> ExecDefaults {
        ExecDefaults(process: spec.process, seccompProgram: compiled?.path, seccompFlags: compiled?.flags,
                     seccompNotify: compiled?.notify, listenerPath: spec.linux?.seccomp?.listenerPath,
                     listenerMetadata: spec.linux?.seccomp?.listenerMetadata)
    }

    func save(_ store: StateStore, _ id: String) {
        guard let bytes = try? JSON.encode(self) else { return }
        try? Files.write(ExecDefaults.file(store, id), bytes, mode: 0o600)
    }

    /// The container's defaults: the saved file, or config.json when it is missing.
    public static func load(_ c: StoredContainer, store: StateStore) throws -> ExecDefaults {
        let path = file(store, c.id)
        if let bytes = try? Files.read(path), let d = try? JSON.decode(ExecDefaults.self, from: bytes, file: path),
           d.seccompProgram == nil || Files.exists(d.seccompProgram!) {
            return d
        }
        let spec = try Exec.containerSpec(c)
        if let sc = spec.linux?.seccomp { try Seccomp.validate(sc) }
        let compiled = try spec.linux?.seccomp.map { try Seccomp.compile($0, cacheDir: store.root + "/seccomp-cache") }
        let d = make(spec, compiled: compiled)
        d.save(store, c.id)
        return d
    }

    func seccomp() throws -> Seccomp.Compiled? {
        guard let path = seccompProgram else { return nil }
        let program = try Files.read(path)
        guard !program.isEmpty, program.count % 8 == 0 else { throw LockerError("seccomp: cached filter \(path) is damaged; delete it") }
        return Seccomp.Compiled(program: program, flags: seccompFlags ?? 0, notify: seccompNotify ?? false, path: path)
    }
}
