import Foundation
import GuichetStore
import GuichetTestSupport
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigratorTests {
    static func migrator(_ client: PostgresClient, _ migrations: [Migration]) -> Migrator {
        Migrator(client: client, migrations: migrations, logger: TestDatabase.logger)
    }

    @Test("a fresh database is migrated once; running again applies nothing; nodes then accept it")
    func migrateTwice() async throws {
        try await TestDatabase.withEmpty { url in
            try await TestDatabase.withClient(url) { client in
                let bundled = try Migration.bundled()
                await #expect(throws: MigrationError.notMigrated) { try await Self.migrator(client, bundled).verify() }
                #expect(try await Self.migrator(client, bundled).migrate().map(\.version) == bundled.map(\.version))
                #expect(try await Self.migrator(client, bundled).migrate().isEmpty)
                try await Self.migrator(client, bundled).verify()
            }
        }
    }

    @Test("two nodes migrating at once apply each migration exactly once")
    func concurrentMigrators() async throws {
        try await TestDatabase.withEmpty { url in
            let bundled = try Migration.bundled()
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await TestDatabase.withClient(url) { client in try await Self.migrator(client, bundled).migrate().count }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(applied == bundled.count)
            try await TestDatabase.withClient(url) { client in
                let rows = try await client.query("SELECT count(*) FROM schema_migrations")
                for try await count in rows.decode(Int64.self) { #expect(Int(count) == bundled.count) }
            }
        }
    }

    @Test("a migration edited after it was applied is refused, naming it")
    func editedMigration() async throws {
        try await TestDatabase.withEmpty { url in
            try await TestDatabase.withClient(url) { client in
                let original = [Migration(version: 1, name: "first", sql: "CREATE TABLE a (id int);")]
                try await Self.migrator(client, original).migrate()
                let edited = [Migration(version: 1, name: "first", sql: "CREATE TABLE a (id bigint);")]
                await #expect(throws: MigrationError.edited(version: 1, name: "first")) { try await Self.migrator(client, edited).migrate() }
                await #expect(throws: MigrationError.edited(version: 1, name: "first")) { try await Self.migrator(client, edited).verify() }
            }
        }
    }

    @Test("a node refuses a schema newer than it knows, or one that lacks its migrations")
    func versionMismatch() async throws {
        try await TestDatabase.withEmpty { url in
            try await TestDatabase.withClient(url) { client in
                let one = Migration(version: 1, name: "first", sql: "CREATE TABLE a (id int);")
                let two = Migration(version: 2, name: "second", sql: "CREATE TABLE b (id int);")
                try await Self.migrator(client, [one, two]).migrate()
                await #expect(throws: MigrationError.newerThanKnown(version: 2, known: 1)) { try await Self.migrator(client, [one]).verify() }
                let three = Migration(version: 3, name: "third", sql: "CREATE TABLE c (id int);")
                await #expect(throws: MigrationError.pending(versions: [3])) { try await Self.migrator(client, [one, two, three]).verify() }
            }
        }
    }

    @Test("a failing migration leaves nothing behind and is not recorded")
    func failingMigration() async throws {
        try await TestDatabase.withEmpty { url in
            try await TestDatabase.withClient(url) { client in
                let broken = Migration(version: 1, name: "broken", sql: "CREATE TABLE a (id int); CREATE TABLE a (id int);")
                await #expect(throws: (any Error).self) { try await Self.migrator(client, [broken]).migrate() }
                let rows = try await client.query("SELECT to_regclass('a') IS NULL, (SELECT count(*) FROM schema_migrations)")
                for try await (absent, count) in rows.decode((Bool, Int64).self) {
                    #expect(absent)
                    #expect(count == 0)
                }
            }
        }
    }

    @Test("the bundled migrations are numbered in order without gaps")
    func bundledNumbering() throws {
        let versions = try Migration.bundled().map(\.version)
        #expect(versions == Array(1...versions.count))
    }
}
