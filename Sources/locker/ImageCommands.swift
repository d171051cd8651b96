import ArgumentParser
import Glibc
import LockerImage
import LockerRuntime
import LockerSpec
import LockerSystem

struct ImportCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "import", abstract: "Import an image: a root filesystem (directory or tarball), an OCI image layout (directory or tar) or a `docker save` archive.")
    @Argument(help: "A directory or a tar archive (plain, gzip or zstd).") var source: String
    @Argument(help: "Image reference to tag it with, e.g. busybox or busybox:1.36 (an OCI layout or docker archive may name its own).") var reference: String?
    @Option(name: .long, help: "Default command of a root filesystem, split on spaces.") var cmd: String = "sh"
    @Option(name: .long, help: "Default environment entry of a root filesystem (repeatable).") var env: [String] = []
    @Option(name: .long) var workdir: String?

    mutating func execute() throws {
        var d = Archive.Defaults()
        d.cmd = cmd.split(separator: " ").map(String.init)
        d.env = [Defaults.path] + env
        d.workdir = workdir
        let (r, tag) = try Archive(store: ImageStore()).importAny(Bundle.absolute(source), as: reference, defaults: d)
        print(tag ?? r.id.description)
    }
}

struct PullCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "pull", abstract: "Pull an image from a registry (OCI Distribution, registry v2).")
    @Argument(help: "[REGISTRY/]REPOSITORY[:TAG][@DIGEST]") var reference: String
    @Option(name: .long, help: "OS/ARCH[/VARIANT] from a multi-platform image (default: this machine's).") var platform: String?
    @Flag(name: [.customShort("q"), .long], help: "No progress output; print only the image id.") var quiet = false
    @Option(name: .long, help: "A registry (host[:port]) that may be reached over plain HTTP or with an unverified certificate (repeatable). Loopback registries always may.") var insecureRegistry: [String] = []

    mutating func execute() throws {
        var o = Pull.Options()
        if let p = platform { o.platform = try Platform.parse(p) }
        o.quiet = quiet
        o.insecureRegistries = insecureRegistry
        let r = try Pull(store: ImageStore(), options: o).run(reference)
        print(quiet ? r.id.description : (r.tags.first.map { "\($0) \(r.id)" } ?? r.id.description))
    }
}

struct LoginCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "login", abstract: "Store credentials for a registry (checked against it first).")
    @Argument var registry: String
    @Option(name: [.customShort("u"), .long]) var username: String
    @Option(name: [.customShort("p"), .long], help: "Prefer --password-stdin: a password on the command line is visible to other users.") var password: String?
    @Flag(name: .long, help: "Read the password from stdin.") var passwordStdin = false
    @Flag(name: .long, help: "Allow plain HTTP or an unverified certificate for this registry.") var insecure = false

    mutating func execute() throws {
        var pw = password ?? ""
        if passwordStdin {
            pw = String(decoding: try FD.readAll(0), as: UTF8.self)
            while pw.hasSuffix("\n") || pw.hasSuffix("\r") { pw.removeLast() }
        }
        guard !pw.isEmpty else { throw LockerError("login: give a password with --password-stdin (or -p)") }
        let store = ImageStore()
        try store.prepare()
        let host = registry == "docker.io" ? "registry-1.docker.io" : registry
        let isLoop = (try? Reference(registry + "/x"))?.isLoopback() ?? false
        // Checked against the registry: a token for a repository nobody has still proves the password.
        let reg = Registry(host: host, repository: "library/locker-login-check", credentials: "\(username):\(pw)",
                           insecure: insecure || isLoop, scratch: store.incomingDir)
        try reg.verifyLogin()
        try store.credentials.store(registry, user: username, password: pw)
        print("Login Succeeded")
    }
}

struct LogoutCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "logout", abstract: "Forget the credentials stored for a registry.")
    @Argument var registry: String
    mutating func execute() throws {
        guard try ImageStore().credentials.remove(registry) else { throw LockerError("not logged in to \(registry)") }
        print("Removed login credentials for \(registry)")
    }
}

struct ImagesCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "images", abstract: "List local images.")
    @Option(name: .long, help: "table or json") var format = "table"
    @Flag(name: [.customShort("q"), .long], help: "Only ids.") var quiet = false
    mutating func execute() throws {
        try ImageList.print(format: format, quiet: quiet)
    }
}

enum ImageList {
    struct Row: Codable { var repository: String; var tag: String; var id: String; var created: String?; var size: Int64 }
    static func rows() -> [Row] {
        var out: [Row] = []
        for r in ImageStore().records() {
            if r.tags.isEmpty { out.append(Row(repository: "<none>", tag: "<none>", id: r.id.description, created: r.created, size: r.size)) }
            for t in r.tags {
                let colon = t.lastIndex(of: ":")!
                out.append(Row(repository: String(t[..<colon]), tag: String(t[t.index(after: colon)...]), id: r.id.description, created: r.created, size: r.size))
            }
        }
        return out.sorted { ($0.repository, $0.tag) < ($1.repository, $1.tag) }
    }
    static func print(format: String, quiet: Bool) throws {
        let rows = rows()
        if quiet { for id in Set(rows.map { String($0.id.dropFirst(7).prefix(12)) }).sorted() { Swift.print(id) }; return }
        switch format {
        case "json": try FD.writeAll(1, JSON.encode(rows, pretty: true) + [10])
        case "table":
            var t = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
            for r in rows { t.append([r.repository, r.tag, String(r.id.dropFirst(7).prefix(12)), r.created ?? "", ByteCount.text(r.size)]) }
            printTable(t)
        default: throw LockerError("--format \(format.debugDescription): want table or json")
        }
    }
}

struct RmiCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "rmi", abstract: "Remove images (refused while a container uses one, unless --force).")
    @Argument var images: [String]
    @Flag(name: [.customShort("f"), .long]) var force = false
    mutating func execute() throws {
        var failed = false
        for i in images {
            do { for l in try ImageStore().remove(i, force: force) { print(l) } } catch {
                try? FD.writeAll(2, "locker: \(error)\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration.sub(commandName: "image", abstract: "Manage images.",
                                                        subcommands: [ImagePruneCommand.self, ImageInspectCommand.self, ImageLsCommand.self, ImageRmCommand.self])
}

struct ImagePruneCommand: LockerCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove untagged images (with -a, every image no container uses) and what nothing needs.")
    @Flag(name: [.customShort("a"), .long]) var all = false
    mutating func execute() throws {
        let out = try ImageStore().prune(all: all)
        for l in out { print(l) }
        if out.isEmpty { print("Nothing to remove") }
    }
}

struct ImageLsCommand: LockerCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List local images.")
    @Option(name: .long) var format = "table"
    @Flag(name: [.customShort("q"), .long]) var quiet = false
    mutating func execute() throws { try ImageList.print(format: format, quiet: quiet) }
}

struct ImageRmCommand: LockerCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove images.")
    @Argument var images: [String]
    @Flag(name: [.customShort("f"), .long]) var force = false
    mutating func execute() throws {
        var r = RmiCommand()
        r.images = images
        r.force = force
        try r.execute()
    }
}

struct ImageInspectCommand: LockerCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show an image: id, tags, digests, layers and its config.")
    @Argument var image: String
    mutating func execute() throws { try ImageInspection.print(image) }
}

enum ImageInspection {
    struct Shown: Codable {
        var Id: String
        var RepoTags: [String]
        var RepoDigests: [String]
        var Created: String?
        var Size: Int64
        var Architecture: String?
        var Os: String?
        var Config: ImageConfig.Run?
        var RootFS: ImageConfig.RootFS
        var LayerDirectories: [String]
    }
    static func print(_ text: String) throws {
        let store = ImageStore()
        guard let r = store.find(text) else { throw LockerError("image \(text.debugDescription) is not in the local store") }
        let c = try store.config(r)
        let shown = Shown(Id: r.id.description, RepoTags: r.tags, RepoDigests: r.repoDigests ?? [], Created: c.created, Size: r.size,
                          Architecture: c.architecture, Os: c.os, Config: c.config, RootFS: c.rootfs, LayerDirectories: r.layers.map(store.layer))
        try FD.writeAll(1, JSON.encode([shown], pretty: true) + [10])
    }
}

struct SaveCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "save", abstract: "Write an image to a tar: an OCI image layout with docker's manifest.json.")
    @Argument var image: String
    @Option(name: [.customShort("o"), .long], help: "The tar file to write.") var output: String
    mutating func execute() throws { try Archive(store: ImageStore()).save(image, to: Bundle.absolute(output)) }
}

struct ExportCommand: LockerCommand {
    static let configuration = CommandConfiguration.sub(commandName: "export", abstract: "Write a container's root filesystem to a tar.")
    @Argument var id: String
    @Option(name: [.customShort("o"), .long], help: "The tar file to write.") var output: String
    mutating func execute() throws {
        let c = try Globals.current.store.load(id)
        guard Files.isDirectory(c.rootfs) else { throw LockerError("container \(id): its root filesystem \(c.rootfs) is gone") }
        let out = Bundle.absolute(output)
        let tmp = out + ".tmp.\(getpid())"
        let r = try Spawn.run("/bin/tar", args: ["tar", "--numeric-owner", "--xattrs", "-C", c.rootfs, "-cf", tmp, "."], env: ["PATH=/usr/bin:/bin"])
        guard r == .exited(0) else { unlink(tmp); throw LockerError("export \(id): tar failed (\(r))") }
        try sys("rename \(tmp) to", out) { rename(tmp, out) }
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
