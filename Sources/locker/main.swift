import ArgumentParser
import Glibc
import LockerRuntime
import LockerSpec
import LockerSystem

let args: [String]
do {
    args = try Globals.extract(Arguments.afterProgramName())
    if Globals.current.trace { try Trace.enable(file: Globals.current.traceFile) }
} catch {
    Report.error("\(error)")
}

do {
    if let job = FastPath.job(args) {
        try job()
        exit(0)
    }
    var command = try Dispatch.parse(args)
    if var c = command as? LockerCommand {
        try c.execute()
    } else {
        try command.run()
    }
} catch let e as SystemError {
    Report.error(e.description)
} catch let e as LockerError {
    Report.error(e.description)
} catch let e as SpecError {
    Report.error(e.description)
} catch let e as RunFailure {
    Report.error(e.description, code: e.code)
} catch let e as ExitCode {
    exit(e.rawValue)
} catch where Locker.exitCode(for: error) == .failure {
    // Any other failure: one line, as every error here.
    Report.error("\(error)")
} catch {
    // ArgumentParser's own (usage errors, --help) keep their shape and codes.
    Locker.exit(withError: error)
}
