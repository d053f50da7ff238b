import Foundation
import GuichetServices
import GuichetStore
import Logging
import PostgresNIO

/// Real PostgreSQL for tests. `ops/test` starts a throwaway cluster and sets
/// `GUICHET_TEST_DATABASE_URL` to its maintenance database; the first test migrates and seeds a
/// template database, and every test then works in its own clone of it, so suites run in parallel.
public enum TestDatabase {
    /// What every clone holds: the migrated schema, the demo directory and its demo accounts.
    public struct Template: Sendable {
        public let name: String
        public let accounts: [DemoAccount]

        public func account(_ role: String) -> DemoAccount {
            accounts.first { $0.role == role }!
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public static let logger: Logger = {
        var logger = Logger(label: "guichet.test")
        logger.logLevel = ProcessInfo.processInfo.environment["GUICHET_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// The maintenance database of the test cluster.
    public static func adminURL() throws -> DatabaseURL {
        guard let text = ProcessInfo.processInfo.environment["GUICHET_TEST_DATABASE_URL"] else {
            throw Failure(description: "GUICHET_TEST_DATABASE_URL is not set: run the tests with ops/test, which starts PostgreSQL.")
        }
        return try DatabaseURL(text)
    }

    /// Runs `body` against a fresh clone of the template, dropped afterwards.
    public static func withFresh<Result: Sendable>(
        _ body: @Sendable (Database, Template) async throws -> Result
    ) async throws -> Result {
        let template = try await TemplateBuilder.shared.template()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await TemplateBuilder.shared.admin { connection in
            try await connection.query("CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: template.name) STRATEGY FILE_COPY", logger: logger)
        }
        let url = try adminURL().with(database: String(name))
        do {
            let result = try await withClient(url) { client in
                try await body(Database(client: client, logger: logger), template)
            }
            try await drop(String(name))
            return result
        } catch {
            try? await drop(String(name))
            throw error
        }
    }

    /// The URL of a fresh, empty database (for migration tests), dropped after `body`.
    public static func withEmpty<Result: Sendable>(_ body: @Sendable (DatabaseURL) async throws -> Result) async throws -> Result {
        let name = "e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await TemplateBuilder.shared.admin { connection in
            try await connection.query("CREATE DATABASE \(unescaped: String(name))", logger: logger)
        }
        do {
            let result = try await body(try adminURL().with(database: String(name)))
            try await drop(String(name))
            return result
        } catch {
            try? await drop(String(name))
            throw error
        }
    }

    /// Runs `body` with a client of its own to `url`.
    public static func withClient<Result: Sendable>(
        _ url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = 12
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func drop(_ name: String) async throws {
        try await TemplateBuilder.shared.admin { connection in
            try await connection.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
        }
    }
}

/// Builds the template once per test process.
actor TemplateBuilder {
    static let shared = TemplateBuilder()
    private var built: Task<TestDatabase.Template, any Error>?

    func template() async throws -> TestDatabase.Template {
        if let built { return try await built.value }
        let task = Task { try await Self.build() }
        built = task
        return try await task.value
    }

    /// Runs `body` on the maintenance database.
    nonisolated func admin(_ body: @Sendable (PostgresConnection) async throws -> Void) async throws {
        let url = try TestDatabase.adminURL()
        try await TestDatabase.withClient(url) { client in
            try await client.withConnection { try await body($0) }
        }
    }

    private static func build() async throws -> TestDatabase.Template {
        let name = "guichet_template_\(ProcessInfo.processInfo.processIdentifier)"
        let logger = TestDatabase.logger
        try await shared.admin { connection in
            try await connection.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
            try await connection.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
        let accounts = try await TestDatabase.withClient(try TestDatabase.adminURL().with(database: name)) { client in
            try await Migrator(client: client, migrations: try Migration.bundled(), logger: logger).migrate()
            return try await DemoSeeder(database: Database(client: client, logger: logger), logger: logger).run()
        }
        return TestDatabase.Template(name: name, accounts: accounts)
    }
}
