import PostgresNIO

/// What a first load of the CMDB sets aside while it writes, to put back once at the end: the
/// indexes no constraint needs, built again in one pass each (with the statistics targets of
/// their expressions), and the foreign keys, each checked again in one query rather than row by
/// row (PostgreSQL's own advice for populating a database).
struct SetAsideChecks {
    var indexes: [String] = []
    /// `ALTER INDEX ... SET STATISTICS` of the indexes' columns that have their own target.
    var statistics: [String] = []
    var foreignKeys: [(table: String, name: String, definition: String)] = []
}

extension CIRepository {
    /// The CMDB's tables a first load writes, in the order their checks are set aside.
    static let bulkLoadedTables = ["cis", "ci_relations"]

    /// Whether inserting `creating` CIs is a first load: at least 10,000 of them, as many as the
    /// CMDB already holds or more, by a role that owns the tables (as the one that migrates does).
    func isFirstLoad(creating: Int) async throws -> Bool {
        guard creating >= 10_000 else { return false }
        let rows = try await connection.query(
            """
            SELECT (SELECT count(*) FROM cis) <= \(creating)
               AND (SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid IN ('cis'::regclass, 'ci_relations'::regclass))
            """,
            logger: logger
        )
        for try await first in rows.decode(Bool.self) { return first }
        return false
    }

    /// Drops the CMDB tables' indexes that no constraint needs and their foreign keys, returning
    /// their definitions; this locks the tables until the import's transaction ends.
    func setAsideChecks() async throws -> SetAsideChecks {
        var checks = SetAsideChecks()
        let tables = Self.bulkLoadedTables
        let indexes = try await connection.query(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid::regclass::text = ANY(\(tables)::text[]) AND NOT x.indisunique AND NOT x.indisprimary
            ORDER BY x.indrelid, i.relname
            """,
            logger: logger
        )
        var names: [String] = []
        for try await (name, definition) in indexes.decode((String, String).self) {
            names.append(name)
            checks.indexes.append(definition)
        }
        let keys = try await connection.query(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND conrelid::regclass::text = ANY(\(tables)::text[]) ORDER BY conrelid, conname
            """,
            logger: logger
        )
        for try await key in keys.decode((String, String, String).self) { checks.foreignKeys.append(key) }
        let targets = try await connection.query(
            """
            SELECT i.relname, a.attnum::int, a.attstattarget::int FROM pg_attribute a JOIN pg_class i ON i.oid = a.attrelid
            WHERE i.relname = ANY(\(names)::text[]) AND a.attstattarget > 0 ORDER BY i.relname, a.attnum
            """,
            logger: logger
        )
        for try await (name, column, target) in targets.decode((String, Int32, Int32).self) {
            checks.statistics.append("ALTER INDEX \"\(name)\" ALTER COLUMN \(column) SET STATISTICS \(target)")
        }
        for name in names { try await connection.query(PostgresQuery(unsafeSQL: "DROP INDEX \"\(name)\""), logger: logger) }
        for key in checks.foreignKeys {
            try await connection.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(key.table) DROP CONSTRAINT \"\(key.name)\""), logger: logger)
        }
        return checks
    }

    /// Builds the set-aside indexes again, with their statistics targets.
    func restoreIndexes(_ checks: SetAsideChecks) async throws {
        for statement in checks.indexes + checks.statistics { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
    }

    /// Adds the set-aside foreign keys again, each checked over the whole table at once.
    func restoreForeignKeys(_ checks: SetAsideChecks) async throws {
        for key in checks.foreignKeys {
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(key.table) ADD CONSTRAINT \"\(key.name)\" \(key.definition)"), logger: logger
            )
        }
    }
}
