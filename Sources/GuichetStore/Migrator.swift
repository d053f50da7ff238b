import Logging
import PostgresNIO

/// Applies the bundled migrations, one transaction each, under an advisory lock so that any number
/// of nodes may run it at once; and tells a node whether the schema is the one it was built for.
public struct Migrator: Sendable {
    /// The advisory lock key that serialises migrators across the cluster ("guichet" in ASCII).
    static let lockKey: Int64 = 0x6775_6963_6865_74

    let client: PostgresClient
    let migrations: [Migration]
    let logger: Logger

    public init(client: PostgresClient, migrations: [Migration], logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is missing and returns the migrations applied now.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await apply(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Throws unless every known migration is applied unchanged and nothing newer is.
    public func verify() async throws {
        let applied = try await client.withConnection { try await appliedMigrations(on: $0) }
        guard let applied else { throw MigrationError.notMigrated }
        try check(applied: applied)
        let pending = migrations.filter { applied[$0.version] == nil }.map(\.version)
        if !pending.isEmpty { throw MigrationError.pending(versions: pending) }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """,
            logger: logger
        )
        let applied = try await appliedMigrations(on: connection) ?? [:]
        try check(applied: applied)
        var done: [Migration] = []
        for migration in migrations where applied[migration.version] == nil {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger
                )
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            done.append(migration)
        }
        return done
    }

    private func check(applied: [Int: (name: String, checksum: String)]) throws {
        let known = migrations.last?.version ?? 0
        if let newest = applied.keys.max(), newest > known {
            throw MigrationError.newerThanKnown(version: newest, known: known)
        }
        for migration in migrations {
            if let record = applied[migration.version], record.checksum != migration.checksum {
                throw MigrationError.edited(version: migration.version, name: migration.name)
            }
        }
    }

    /// `nil` when the migrations table does not exist.
    private func appliedMigrations(on connection: PostgresConnection) async throws -> [Int: (name: String, checksum: String)]? {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        for try await present in exists.decode(Bool.self) where !present { return nil }
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations", logger: logger)
        var applied: [Int: (name: String, checksum: String)] = [:]
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            applied[version] = (name, checksum)
        }
        return applied
    }
}
