import ArgumentParser

/// Picks the subcommand by its name and lets ArgumentParser parse only that command.
/// Parsing through the root builds every command's argument set by reflection and tries two
/// extra parsers for completion-script requests first; on the hot path (create, start,
/// exec, kill, delete) that was a fifth of the runtime's CPU time. Anything that is not a
/// plain subcommand name (help, --help, --version, a typo) goes through the root as before.
enum Dispatch {
    static func parse(_ args: [String]) throws -> ParsableCommand {
        if let name = args.first, !name.hasPrefix("-"), let type = command(named: name) {
            return try type.parseAsRoot(Array(args.dropFirst()))
        }
        return try Locker.parseAsRoot(args)
    }

    static func command(named name: String) -> ParsableCommand.Type? {
        for type in Locker.configuration.subcommands {
            let c = type.configuration
            if c.commandName == name || c.aliases.contains(name) { return type }
        }
        return nil
    }
}
