import ArgumentParser
import GuichetServices
import GuichetStore
import PostgresNIO

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
            if let secrets = try common.secrets() {
                let sealed = try await withDatabase(url, logger: logger) { client in
                    try await WebhookService.sealStoredSecrets(database: Database(client: client, logger: logger), secrets: secrets)
                }
                if sealed > 0 { print("Sealed the secrets of \(sealed) webhook subscriptions with GUICHET_SECRET_KEY.") }
            }
        } catch let error as MigrationError {
            throw StartupFailure(description: error.description)
        } catch let error as PSQLError where error.serverInfo != nil {
            // the operator needs PostgreSQL's own words; nothing was applied of the migration that failed
            let message = error.serverInfo?[.message] ?? "unknown error"
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            throw StartupFailure(description: "A migration failed and was rolled back: \(message)\(state). The log names the migration.")
        }
    }
}
