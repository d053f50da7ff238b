import ArgumentParser

/// The one binary of Guichet; each process takes one role.
@main
struct Guichet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guichet",
        abstract: "Guichet, the IT service desk of the schools' service centre.",
        subcommands: [Serve.self, Work.self, MailIn.self, Migrate.self, Demo.self, QueueCommand.self, UserCommand.self, ImportCommand.self]
    )
}
