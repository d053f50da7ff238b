import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// An inventory import as stored: what was handed over, how far it went, what it changed.
public struct CIImportRecord: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case queued, running, done, failed
    }

    public var id: Int64
    public var source: String
    public var full: Bool
    public var format: InventoryFile.Format
    public var state: State
    public var submittedBy: Int64?
    public var totalRows: Int?
    public var processedRows: Int
    public var created: Int
    public var updated: Int
    public var unchanged: Int
    public var retired: Int
    /// The rows not applied, as JSON: `[{"line": 12, "field": "ip", "reason": "..."}]`.
    public var rejected: String
    public var error: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
}

/// The inventories handed over, their files until they are applied, and their outcomes.
public struct CIImportRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func insert(source: String, full: Bool, format: InventoryFile.Format, submittedBy: Int64?, content: String) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO ci_imports (source, mode, format, submitted_by, content)
            VALUES (\(source), \(full ? "full" : "delta"), \(format.rawValue), \(submittedBy), \(content))
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.noRowReturned
    }

    public func find(id: Int64) async throws -> CIImportRecord? {
        let rows = try await connection.query(
            """
            SELECT id, source, mode, format, state, submitted_by, total_rows, processed_rows, created, updated, unchanged, retired,
                rejected::text, error, created_at, started_at, finished_at
            FROM ci_imports WHERE id = \(id)
            """,
            logger: logger
        )
        for try await row in rows {
            let r = row.makeRandomAccess()
            return CIImportRecord(
                id: try r["id"].decode(Int64.self), source: try r["source"].decode(String.self), full: try r["mode"].decode(String.self) == "full",
                format: InventoryFile.Format(rawValue: try r["format"].decode(String.self)) ?? .csv,
                state: CIImportRecord.State(rawValue: try r["state"].decode(String.self)) ?? .failed,
                submittedBy: try r["submitted_by"].decode(Int64?.self), totalRows: try r["total_rows"].decode(Int32?.self).map(Int.init),
                processedRows: Int(try r["processed_rows"].decode(Int32.self)), created: Int(try r["created"].decode(Int32.self)),
                updated: Int(try r["updated"].decode(Int32.self)), unchanged: Int(try r["unchanged"].decode(Int32.self)),
                retired: Int(try r["retired"].decode(Int32.self)), rejected: try r["rejected"].decode(String.self),
                error: try r["error"].decode(String?.self), createdAt: try r["created_at"].decode(Date.self),
                startedAt: try r["started_at"].decode(Date?.self), finishedAt: try r["finished_at"].decode(Date?.self)
            )
        }
        return nil
    }

    /// Takes an import to run: its file, or `nil` when it ended. A run that stopped half-way (its
    /// worker died) applied nothing, its transaction rolled back: it runs again from the start.
    public func start(id: Int64) async throws -> String? {
        let rows = try await connection.query(
            """
            UPDATE ci_imports SET state = 'running', started_at = now(), processed_rows = 0
            WHERE id = \(id) AND state IN ('queued', 'running') RETURNING content
            """,
            logger: logger
        )
        for try await content in rows.decode(String?.self) { return content ?? "" }
        return nil
    }

    public func progress(id: Int64, total: Int, processed: Int) async throws {
        try await connection.query(
            "UPDATE ci_imports SET total_rows = \(Int32(total)), processed_rows = \(Int32(processed)) WHERE id = \(id)", logger: logger
        )
    }

    /// Records what the import changed; its file is let go.
    public func finish(id: Int64, applied: AppliedImport, total: Int, rejected: String) async throws {
        try await connection.query(
            """
            UPDATE ci_imports SET state = 'done', finished_at = now(), content = NULL, total_rows = \(Int32(total)),
                processed_rows = \(Int32(total)), created = \(Int32(applied.created)), updated = \(Int32(applied.updated)),
                unchanged = \(Int32(applied.unchanged)), retired = \(Int32(applied.retired)), rejected = \(rejected)::jsonb
            WHERE id = \(id)
            """,
            logger: logger
        )
    }

    /// Records why the import changed nothing; its file is let go.
    public func fail(id: Int64, error: String, rejected: String = "[]") async throws {
        try await connection.query(
            """
            UPDATE ci_imports SET state = 'failed', finished_at = now(), content = NULL, error = \(error), rejected = \(rejected)::jsonb
            WHERE id = \(id)
            """,
            logger: logger
        )
    }
}
