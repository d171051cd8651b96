import ArgumentParser
import Glibc
import LockerRuntime
import LockerSpec
import LockerSystem

struct ImportCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "import", abstract: "Import a root filesystem (directory or tarball) as an image.")
    @Argument(help: "A directory or a tar archive of a root filesystem.") var source: String
    @Argument(help: "Image reference, e.g. busybox or busybox:1.36.") var reference: String
    @Option(name: .long, help: "Default command, split on spaces.") var cmd: String = "sh"
    @Option(name: .long, help: "Default environment entry (repeatable).") var env: [String] = []
    @Option(name: .long) var workdir: String?

    mutating func execute() throws {
        var cfg = ImageStore.Config()
        cfg.Cmd = cmd.split(separator: " ").map(String.init)
        cfg.Env = [Defaults.path] + env
        cfg.WorkingDir = workdir
        let img = try ImageStore().importRootfs(from: Bundle.absolute(source), as: reference, config: cfg)
        print(img.reference)
    }
}

struct ImagesCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "images", abstract: "List local images.")
    mutating func execute() throws {
        var rows = [["REPOSITORY", "TAG", "PATH"]]
        for i in ImageStore().list() {
            let parts = i.reference.split(separator: ":", maxSplits: 1).map(String.init)
            rows.append([parts[0], parts.count > 1 ? parts[1] : "latest", i.directory])
        }
        printTable(rows)
    }
}

struct LogsCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "logs", abstract: "Print what a detached container wrote.")
    @Argument var id: String
    mutating func execute() throws {
        let c = try Globals.current.store.load(id)
        guard let p = c.logPath else { throw LockerError("container \(id) was not started detached by `locker run -d`: it has no log") }
        try FD.writeAll(1, Files.read(p))
    }
}
