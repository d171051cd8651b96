import Glibc
import LockerSpec
import LockerSystem

/// An OCI bundle: a directory with config.json and the root filesystem it names.
public enum Bundle {
    public static func absolute(_ path: String) -> String {
        if path.hasBytePrefix("/") { return Files.clean(path) }
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, 4096) != nil else { return path }
        return Files.clean(Files.join(String(cString: buf), path))
    }

    public static func load(_ bundle: String) throws -> Spec {
        let path = Files.join(bundle, "config.json")
        let bytes: [UInt8]
        do { bytes = try Files.read(path) } catch let e as SystemError {
            throw LockerError("read bundle config \(path): \(Errno.name(e.errno)) (\(String(cString: strerror(e.errno))))")
        }
        let spec = try JSON.decode(Spec.self, from: bytes, file: "config.json")
        try Validation.validate(spec)
        return spec
    }

    public static func rootfs(_ spec: Spec, bundle: String) -> String {
        let p = spec.root?.path ?? "rootfs"
        return p.hasBytePrefix("/") ? Files.clean(p) : Files.clean(Files.join(bundle, p))
    }
}
