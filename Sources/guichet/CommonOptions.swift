import ArgumentParser
import Foundation
import GuichetServices
import GuichetStore
import Logging
import PostgresNIO

/// Options every subcommand takes. An option wins over its environment variable.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "postgres://user:password@host:port/database (env GUICHET_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env GUICHET_LOG_LEVEL).")
    var logLevel: String?

    func database() throws -> DatabaseURL {
        guard let text = databaseURL ?? Environment.value("GUICHET_DATABASE_URL") else {
            throw ValidationError("Set the database with --database-url or GUICHET_DATABASE_URL.")
        }
        do {
            return try DatabaseURL(text)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The key that seals secrets Guichet keeps (webhooks'), from `GUICHET_SECRET_KEY` only, so that it
    /// never shows in a process list; `nil` when unset.
    func secrets() throws -> SecretBox? {
        guard let key = Environment.value("GUICHET_SECRET_KEY") else { return nil }
        do {
            return try SecretBox(base64Key: key)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Bootstraps logging once for the process and returns its logger.
    func logger(label: String) throws -> Logger {
        let text = logLevel ?? Environment.value("GUICHET_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("Unknown log level '\(text)'.")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Runs `body` with a database client that lives only as long as it does.
func withDatabase<Result: Sendable>(
    _ url: DatabaseURL, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> Result
) async throws -> Result {
    let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        // let run() start before the first lease, which the client would otherwise log as a misuse
        await Task.yield()
        return try await body(client)
    }
}

/// Refuses to start a node on a schema it was not built for.
func verifySchema(_ url: DatabaseURL, logger: Logger) async throws {
    do {
        try await withDatabase(url, logger: logger) { client in
            try await Migrator(client: client, migrations: try Migration.bundled(), logger: logger).verify()
        }
    } catch let error as MigrationError {
        throw StartupFailure(description: error.description)
    } catch {
        throw StartupFailure(description: "The database at \(url) cannot be reached (\(String(reflecting: error))).")
    }
}

/// Why a command cannot start; printed as it is, without the usage text.
struct StartupFailure: Error, CustomStringConvertible {
    let description: String
}
