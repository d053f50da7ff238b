import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// A row of an inventory ready to apply: its values, and the CIs its relations name.
public struct StagedCI: Sendable {
    public var line: Int
    public var values: CIValues
    public var dependencies: [CIRelationKind: [String]]

    public init(line: Int, values: CIValues, dependencies: [CIRelationKind: [String]]) {
        self.line = line
        self.values = values
        self.dependencies = dependencies
    }
}

/// What applying an inventory changed; relations that named no CI are reported by line.
public struct AppliedImport: Sendable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var retired = 0
    public var unresolved: [(line: Int, kind: CIRelationKind, reference: String)] = []
}

extension CIRepository {
    /// The stored columns an inventory sets, each with its SQL type: staged as text, compared to
    /// tell an unchanged CI from a changed one, copied on insert and update.
    static let importedColumns: [(name: String, type: String)] = [
        ("class", "text"), ("name", "text"), ("status", "text"), ("establishment_id", "bigint"), ("room", "text"), ("owner_id", "bigint"),
        ("serial", "text"), ("asset_tag", "text"), ("brand", "text"), ("model", "text"), ("os", "text"), ("ip", "inet"), ("mac", "macaddr"),
        ("supplier", "text"), ("warranty_end", "date"), ("antivirus_protected", "boolean"), ("antivirus_signatures_at", "timestamptz"),
        ("antivirus_contact_at", "timestamptz"), ("attributes", "jsonb"), ("minimum_up", "integer"),
    ]

    /// Applies an inventory of `source` in the caller's transaction, set by set: rows are staged,
    /// reconciled with the stored CIs (by external id in the source, else by serial number, else by
    /// name in the establishment), then changed CIs are updated, new ones inserted, the relations
    /// the rows name replaced, and with `full` the source's CIs the file no longer lists retired.
    /// Every creation, change and retirement is in the audit log. `kept` are the external ids of
    /// rows the caller refused: a full import does not retire their CIs for a fault of the file.
    /// `staged` is told how many rows are staged, batch by batch.
    public func apply(
        _ rows: [StagedCI], source: String, full: Bool, kept: [String] = [], actorID: Int64?, detail: String,
        staged: (Int) async throws -> Void
    ) async throws -> AppliedImport {
        var clock = PhaseClock(logger: logger)
        let columns = Self.importedColumns
        let list = columns.map(\.name).joined(separator: ", ")
        try await connection.query(
            """
            CREATE TEMP TABLE ci_stage (line integer PRIMARY KEY, ci_id bigint, external_id text NOT NULL,
                \(unescaped: columns.map { "\($0.name) \($0.type)" }.joined(separator: ", "))) ON COMMIT DROP
            """,
            logger: logger
        )
        try await connection.query(
            "CREATE TEMP TABLE ci_stage_links (line integer, kind text, position integer, reference text, dependency_id bigint) ON COMMIT DROP",
            logger: logger
        )
        try await stage(rows, source: source, columns: columns, staged: staged)
        for statement in [
            "CREATE INDEX ON ci_stage (external_id)", "CREATE INDEX ON ci_stage (ci_id)", "CREATE INDEX ON ci_stage_links (line)",
            // the columns the joins below use: sampling all twenty would cost more than the joins gain
            "ANALYZE ci_stage (line, external_id, serial, name, establishment_id)", "ANALYZE ci_stage_links (line, reference)",
        ] {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
        clock.lap("staged")
        try await reconcile(source: source)
        clock.lap("reconciled")

        var applied = AppliedImport()
        let matched = try await count("SELECT count(*) FROM ci_stage WHERE ci_id IS NOT NULL")
        let differs = "(\(columns.map { "c.\($0.name)" }.joined(separator: ", "))) IS DISTINCT FROM (\(columns.map { "s.\($0.name)" }.joined(separator: ", ")))"
        applied.updated = try await count(
            """
            WITH old AS (
                SELECT c.id, to_jsonb(c) - 'search' AS before FROM cis c JOIN ci_stage s ON s.ci_id = c.id WHERE \(unescaped: differs)
            ), changed AS (
                UPDATE cis c SET \(unescaped: columns.map { "\($0.name) = s.\($0.name)" }.joined(separator: ", ")),
                    source = coalesce(c.source, \(source)), external_id = CASE WHEN c.source IS NULL THEN s.external_id ELSE c.external_id END,
                    version = c.version + 1, updated_at = now()
                FROM ci_stage s WHERE s.ci_id = c.id AND c.id IN (SELECT id FROM old)
                RETURNING c.*
            ), audited AS (
                INSERT INTO audit_log (actor_id, kind, object_type, object_id, before, after, detail)
                SELECT \(actorID), 'ci.updated', 'ci', changed.id::text, old.before, to_jsonb(changed) - 'search', \(detail)
                FROM changed JOIN old ON old.id = changed.id
            )
            SELECT count(*) FROM changed
            """
        )
        applied.unchanged = matched - applied.updated
        clock.lap("updated")
        if !full {
            // a full import records when it saw the whole source (`ci_sources`), not each CI
            try await connection.query("UPDATE cis c SET last_seen_at = now() FROM ci_stage s WHERE s.ci_id = c.id", logger: logger)
        }
        // a first load builds the indexes and checks the foreign keys once at the end, not row by
        // row: the CMDB is locked meanwhile, and it held few CIs
        let creating = try await count("SELECT count(*) FROM ci_stage WHERE ci_id IS NULL")
        let setAside = try await isFirstLoad(creating: creating) ? try await setAsideChecks() : SetAsideChecks()
        applied.created = try await count(
            """
            WITH inserted AS (
                INSERT INTO cis (\(unescaped: list), source, external_id, last_seen_at)
                SELECT \(unescaped: columns.map { "s.\($0.name)" }.joined(separator: ", ")), \(source), s.external_id, now()
                FROM ci_stage s WHERE s.ci_id IS NULL ORDER BY s.line
                RETURNING *
            ), audited AS (
                INSERT INTO audit_log (actor_id, kind, object_type, object_id, after, detail)
                SELECT \(actorID), 'ci.created', 'ci', id::text, to_jsonb(inserted) - 'search', \(detail) FROM inserted
            )
            SELECT count(*) FROM inserted
            """
        )
        try await connection.query(
            "UPDATE ci_stage s SET ci_id = c.id FROM cis c WHERE s.ci_id IS NULL AND c.source = \(source) AND c.external_id = s.external_id",
            logger: logger
        )
        try await restoreIndexes(setAside)
        clock.lap("inserted")
        applied.unresolved = try await relate(source: source)
        try await restoreForeignKeys(setAside)
        clock.lap("related")
        if full {
            applied.retired = try await retire(source: source, kept: kept, actorID: actorID, detail: detail)
            try await connection.query(
                """
                INSERT INTO ci_sources (source, last_full_at) VALUES (\(source), now())
                ON CONFLICT (source) DO UPDATE SET last_full_at = EXCLUDED.last_full_at
                """,
                logger: logger
            )
            clock.lap("retired")
        }
        return applied
    }

    /// Copies the rows into `ci_stage` with the CI each names by its external id in the source (the
    /// first reconciliation, made in the same pass), and their relations into `ci_stage_links`.
    private func stage(
        _ rows: [StagedCI], source: String, columns: [(name: String, type: String)], staged: (Int) async throws -> Void
    ) async throws {
        let raw = ["line", "external_id"] + columns.map(\.name)
        try await connection.query(
            PostgresQuery(unsafeSQL: "CREATE TEMP TABLE ci_stage_raw (line integer, \(raw.dropFirst().map { "\($0) text" }.joined(separator: ", "))) ON COMMIT DROP"),
            logger: logger
        )
        let batches = stride(from: 0, to: rows.count, by: 5_000).map { rows[$0..<min($0 + 5_000, rows.count)] }
        try await connection.copyFrom(table: "ci_stage_raw", columns: raw, logger: logger) { writer in
            for batch in batches {
                var buffer = ByteBuffer()
                for row in batch {
                    buffer.writeString(String(row.line))
                    for value in [row.values.externalID] + Self.texts(of: row.values) {
                        buffer.writeInteger(UInt8(ascii: "\t"))
                        Self.copyField(value, into: &buffer)
                    }
                    buffer.writeInteger(UInt8(ascii: "\n"))
                }
                try await writer.write(buffer)
                try await staged(batch.endIndex)
            }
        }
        for batch in batches { try await stageLinks(batch) }
        try await connection.query(
            """
            INSERT INTO ci_stage (line, ci_id, external_id, \(unescaped: columns.map(\.name).joined(separator: ", ")))
            SELECT u.line, c.id, u.external_id, \(unescaped: columns.map(Self.staged).joined(separator: ", "))
            FROM ci_stage_raw u LEFT JOIN cis c ON c.source = \(source) AND c.external_id = u.external_id
            """,
            logger: logger
        )
        try await connection.query("DROP TABLE ci_stage_raw", logger: logger)
    }

    /// A value in COPY's text format: `\N` for none; backslashes, tabs and line ends escaped.
    static func copyField(_ value: String?, into buffer: inout ByteBuffer) {
        guard let value else {
            buffer.writeStaticString("\\N")
            return
        }
        let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        guard value.utf8.contains(where: special) else {
            buffer.writeString(value)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    private func stageLinks(_ batch: ArraySlice<StagedCI>) async throws {
        var lines: [Int32] = []
        var kinds: [String] = []
        var positions: [Int32] = []
        var references: [String] = []
        for row in batch {
            for (kind, named) in row.dependencies {
                // an empty list still says which kind of relation the row sets: none
                if named.isEmpty {
                    lines.append(Int32(row.line))
                    kinds.append(kind.rawValue)
                    positions.append(0)
                    references.append("")
                }
                for (position, reference) in named.enumerated() {
                    lines.append(Int32(row.line))
                    kinds.append(kind.rawValue)
                    positions.append(Int32(position + 1))
                    references.append(reference)
                }
            }
        }
        guard !lines.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO ci_stage_links (line, kind, position, reference)
            SELECT * FROM unnest(\(lines)::integer[], \(kinds)::text[], \(positions)::integer[], \(references)::text[])
            """,
            logger: logger
        )
    }

    /// A staged column read back from its text: instants are staged as seconds since 1970.
    static func staged(_ column: (name: String, type: String)) -> String {
        column.type == "timestamptz" ? "to_timestamp(u.\(column.name)::float8)" : "u.\(column.name)::\(column.type)"
    }

    /// The staged values as text, in `importedColumns` order; `nil` for none.
    static func texts(of values: CIValues) -> [String?] {
        let a = values.attributes
        let epoch = { (date: Date?) in date.map { String($0.timeIntervalSince1970) } }
        return [
            values.ciClass.rawValue, values.name, values.status.rawValue, values.establishmentID.map(String.init), values.room,
            values.ownerID.map(String.init), a.serial, a.assetTag, a.brand, a.model, a.os, a.ip, a.mac, a.supplier, a.warrantyEnd,
            a.antivirus.map { $0.protected ? "true" : "false" }, epoch(a.antivirus?.signaturesAt), epoch(a.antivirus?.contactAt),
            a.free.isEmpty ? "{}" : (try? Self.json(a.free)) ?? "{}", values.minimumUp.map(String.init),
        ]
    }

    /// Finds the CI of each staged row that its external id in the source did not find: by serial,
    /// else by name in its establishment; a stored CI is taken by one row at most.
    private func reconcile(source: String) async throws {
        for (stored, staged) in [("c.serial", "s2.serial"), ("(c.name, c.establishment_id)", "(s2.name, s2.establishment_id)")] {
            try await connection.query(
                """
                UPDATE ci_stage s SET ci_id = m.id FROM (
                    SELECT DISTINCT ON (c.id) c.id, s2.line FROM ci_stage s2 JOIN cis c ON \(unescaped: stored) = \(unescaped: staged)
                    WHERE s2.ci_id IS NULL
                      AND NOT EXISTS (SELECT 1 FROM ci_stage t WHERE t.ci_id = c.id)
                    ORDER BY c.id, s2.line
                ) m WHERE s.line = m.line AND s.ci_id IS NULL
                """,
                logger: logger
            )
        }
    }

    /// Replaces the relations of the kinds each row names; returns the references that name no CI.
    /// A reference is another row of the file (by external id, whatever CI that row reconciled
    /// with), else a stored CI of the source, else a CI of that name in the row's establishment,
    /// else the only CI of that name.
    private func relate(source: String) async throws -> [(line: Int, kind: CIRelationKind, reference: String)] {
        // most references name another row of the file: those are joined at once, the rest looked up
        try await connection.query(
            "UPDATE ci_stage_links l SET dependency_id = s.ci_id FROM ci_stage s WHERE s.external_id = l.reference AND l.reference <> ''",
            logger: logger
        )
        try await connection.query(
            """
            UPDATE ci_stage_links l SET dependency_id = coalesce(
                (SELECT c.id FROM cis c WHERE c.source = \(source) AND c.external_id = l.reference),
                (SELECT c.id FROM cis c JOIN ci_stage s ON s.line = l.line
                 WHERE c.name = l.reference AND c.establishment_id IS NOT DISTINCT FROM s.establishment_id ORDER BY c.id LIMIT 1),
                (SELECT min(c.id) FROM cis c WHERE c.name = l.reference HAVING count(*) = 1)
            )
            WHERE l.reference <> '' AND l.dependency_id IS NULL
            """,
            logger: logger
        )
        try await connection.query(
            """
            DELETE FROM ci_relations r USING (SELECT DISTINCT s.ci_id, l.kind FROM ci_stage_links l JOIN ci_stage s ON s.line = l.line) k
            WHERE r.dependent_id = k.ci_id AND r.kind = k.kind
              AND NOT EXISTS (
                SELECT 1 FROM ci_stage_links l JOIN ci_stage s ON s.line = l.line
                WHERE s.ci_id = r.dependent_id AND l.kind = r.kind AND l.dependency_id = r.dependency_id)
            """,
            logger: logger
        )
        try await connection.query(
            """
            INSERT INTO ci_relations (dependent_id, dependency_id, kind)
            SELECT DISTINCT s.ci_id, l.dependency_id, l.kind FROM ci_stage_links l JOIN ci_stage s ON s.line = l.line
            WHERE l.dependency_id IS NOT NULL AND l.dependency_id <> s.ci_id
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
        let rows = try await connection.query(
            "SELECT line, kind, reference FROM ci_stage_links WHERE reference <> '' AND dependency_id IS NULL ORDER BY line, kind, position",
            logger: logger
        )
        var unresolved: [(line: Int, kind: CIRelationKind, reference: String)] = []
        for try await (line, kind, reference) in rows.decode((Int32, String, String).self) {
            unresolved.append((Int(line), CIRelationKind(rawValue: kind) ?? .connectedTo, reference))
        }
        return unresolved
    }

    /// Retires the CIs of `source` that the inventory no longer lists (they are never deleted).
    private func retire(source: String, kept: [String], actorID: Int64?, detail: String) async throws -> Int {
        let rows = try await connection.query(
            """
            WITH old AS (
                SELECT c.id, to_jsonb(c) - 'search' AS before FROM cis c
                WHERE c.source = \(source) AND c.status <> 'retired' AND NOT EXISTS (SELECT 1 FROM ci_stage s WHERE s.ci_id = c.id)
                  AND c.external_id <> ALL(\(kept)::text[])
            ), gone AS (
                -- last seen by the source's previous full import, which listed it
                UPDATE cis c SET status = 'retired', version = c.version + 1, updated_at = now(),
                    last_seen_at = greatest(c.last_seen_at, (SELECT last_full_at FROM ci_sources WHERE source = c.source))
                FROM old WHERE old.id = c.id RETURNING c.*
            ), audited AS (
                INSERT INTO audit_log (actor_id, kind, object_type, object_id, before, after, detail)
                SELECT \(actorID), 'ci.retired', 'ci', gone.id::text, old.before, to_jsonb(gone) - 'search', \(detail)
                FROM gone JOIN old ON old.id = gone.id
            )
            SELECT count(*) FROM gone
            """,
            logger: logger
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        let rows = try await connection.query(query, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}

/// Times the steps of an import for the operator's debug log.
struct PhaseClock {
    let logger: Logger
    var last = ContinuousClock.now

    mutating func lap(_ step: String) {
        let now = ContinuousClock.now
        logger.debug("import step", metadata: ["step": "\(step)", "took": "\(last.duration(to: now))"])
        last = now
    }
}
