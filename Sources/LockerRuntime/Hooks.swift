import Glibc
import LockerSpec
import LockerSystem

/// OCI hooks: each gets the container's state as JSON on stdin, runs with its own env and
/// timeout, and a failure names the hook and how it ended.
enum Hooks {
    static func run(_ hooks: [Spec.Hook], kind: String, state: ContainerState) throws {
        guard !hooks.isEmpty else { return }
        try run(hooks, kind: kind, input: JSON.encode(state))
    }

    static func run(_ hooks: [Spec.Hook], kind: String, input: [UInt8]) throws {
        for (i, h) in hooks.enumerated() {
            Trace.step("\(kind) hook \(i): \(h.path)")
            let result: Proc.Exit
            do {
                result = try Spawn.run(h.path, args: h.args ?? [h.path], env: h.env ?? [], stdin: input, timeoutSeconds: h.timeout)
            } catch {
                throw LockerError("\(kind) hook \(i) (\(h.path)): \(error)")
            }
            if result != .exited(0) {
                let how: String
                switch result {
                case .exited(let c): how = "exited with status \(c)"
                case .signaled(let s): how = "was killed by \(Signals.name(s))"
                }
                throw LockerError("\(kind) hook \(i) (\(h.path)) \(how)")
            }
        }
    }
}
