import CLockerShim

/// The command line, without the program name. Read from the argv that glibc hands to
/// constructors (CLockerShim) rather than through `CommandLine.arguments`, whose
/// standard-library code would fault in pages of the executable for every command.
public enum Arguments {
    public static func afterProgramName() -> [String] {
        let count = Int(locker_argc())
        guard count > 1, let argv = locker_argv() else { return [] }
        var out: [String] = []
        out.reserveCapacity(count - 1)
        for i in 1..<count {
            guard let p = argv[i] else { break }
            out.append(String(cString: p))
        }
        return out
    }
}
