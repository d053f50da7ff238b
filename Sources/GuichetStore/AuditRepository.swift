import Foundation
import Logging
import PostgresNIO

/// One entry of the audit log: a security event or a change, with who did it and from which request.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64?
    public var at: Date?
    /// `nil` when Guichet itself or an operator on the command line acted.
    public var actorID: Int64?
    public var kind: String
    public var objectType: String?
    public var objectID: String?
    public var before: String?
    public var after: String?
    public var detail: String?
    public var requestID: String?
    public var client: String?

    public init(
        actorID: Int64?, kind: String, objectType: String? = nil, objectID: String? = nil, before: String? = nil, after: String? = nil,
        detail: String? = nil, requestID: String? = nil, client: String? = nil
    ) {
        self.actorID = actorID
        self.kind = kind
        self.objectType = objectType
        self.objectID = objectID
        self.before = before
        self.after = after
        self.detail = detail
        self.requestID = requestID
        self.client = client
    }
}

/// What the audit log is filtered by; `nil` means any.
public struct AuditFilter: Sendable, Equatable {
    public var kindPrefix: String?
    public var actorID: Int64?
    public var objectType: String?
    public var objectID: String?
    public var since: Date?

    public init(kindPrefix: String? = nil, actorID: Int64? = nil, objectType: String? = nil, objectID: String? = nil, since: Date? = nil) {
        self.kindPrefix = kindPrefix
        self.actorID = actorID
        self.objectType = objectType
        self.objectID = objectID
        self.since = since
    }
}

/// The append-only audit log: the database refuses to change or delete an entry.
public struct AuditRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func record(_ entry: AuditEntry) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (actor_id, kind, object_type, object_id, before, after, detail, request_id, client)
            VALUES (\(entry.actorID), \(entry.kind), \(entry.objectType), \(entry.objectID), \(entry.before)::jsonb, \(entry.after)::jsonb,
                \(entry.detail), \(entry.requestID), \(entry.client))
            """,
            logger: logger
        )
    }

    /// Newest first; `beforeID` continues a page.
    public func list(_ filter: AuditFilter, beforeID: Int64?, limit: Int) async throws -> [AuditEntry] {
        let prefix = filter.kindPrefix.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        let rows = try await connection.query(
            """
            SELECT id, at, actor_id, kind, object_type, object_id, before::text, after::text, detail, request_id, client FROM audit_log
            WHERE (\(prefix)::text IS NULL OR kind LIKE \(prefix))
              AND (\(filter.actorID)::bigint IS NULL OR actor_id = \(filter.actorID))
              AND (\(filter.objectType)::text IS NULL OR object_type = \(filter.objectType))
              AND (\(filter.objectID)::text IS NULL OR object_id = \(filter.objectID))
              AND (\(filter.since)::timestamptz IS NULL OR at >= \(filter.since))
              AND (\(beforeID)::bigint IS NULL OR id < \(beforeID))
            ORDER BY id DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var entries: [AuditEntry] = []
        for try await (id, at, actorID, kind, objectType, objectID, before, after, detail, requestID, client) in rows.decode(
            (Int64, Date, Int64?, String, String?, String?, String?, String?, String?, String?, String?).self
        ) {
            var entry = AuditEntry(
                actorID: actorID, kind: kind, objectType: objectType, objectID: objectID, before: before, after: after, detail: detail,
                requestID: requestID, client: client
            )
            entry.id = id
            entry.at = at
            entries.append(entry)
        }
        return entries
    }
}
