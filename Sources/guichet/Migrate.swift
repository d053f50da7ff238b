import ArgumentParser
import GuichetStore

/// `guichet migrate`: applies the schema migrations this build ships.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database migrations (safe to run from several nodes at once).")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = try common.logger(label: "guichet.migrate")
        let url = try common.database()
        do {
            let applied = try await withDatabase(url, logger: logger) { client in
                try await Migrator(client: client, migrations: try Migration.bundled(), logger: logger).migrate()
            }
            print(applied.isEmpty ? "The schema is up to date." : "Applied: \(applied.map { "\($0.version)_\($0.name)" }.joined(separator: ", ")).")
        } catch let error as MigrationError {
            throw StartupFailure(description: error.description)
        }
    }
}
