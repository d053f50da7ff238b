import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// Records security events in the audit log, and lets administrators read it.
public struct AuditService: Sendable {
    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Records `entry` on a connection of its own, outside any transaction that may roll back (a
    /// refused request's). A failure to record is logged, never turned into the caller's error.
    public func record(_ entry: AuditEntry) async {
        do {
            try await database.client.withConnection { connection in
                try await AuditRepository(connection: connection, logger: logger).record(entry)
            }
        } catch {
            logger.error("audit entry not recorded", metadata: ["kind": .string(entry.kind), "error": "\(String(reflecting: error))"])
        }
    }

    /// A refused API token: audited in full for the first of the hour from its address, counted
    /// for the others, whose sum the periodic purge audits once the hour is over.
    public func recordRefusedToken(request: String, requestID: String?, client: String?) async {
        do {
            try await database.client.withConnection { connection in
                let audit = AuditRepository(connection: connection, logger: logger)
                if try await audit.countRefusedToken(client: client ?? "unknown", request: request) {
                    try await audit.record(AuditEntry(actorID: nil, kind: "auth.token_refused", detail: request, requestID: requestID, client: client))
                }
            }
        } catch {
            logger.error("refused token not counted", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// A request refused with 403 (or a forged form, a read-only token writing): who asked what.
    public func recordDenied(actorID: Int64?, detail: String, requestID: String?, client: String?) async {
        await record(AuditEntry(actorID: actorID, kind: "access.denied", detail: detail, requestID: requestID, client: client))
    }

    /// A page of the log, newest first, filtered by kind (a prefix), actor, object and time (`nil`
    /// is any); administrators only.
    public func list(
        kindPrefix: String?, actorID: Int64?, objectType: String?, objectID: String?, since: Date?, before: Int64?, limit: Int,
        by principal: Principal
    ) async throws -> AuditPage {
        let filter = AuditFilter(kindPrefix: kindPrefix, actorID: actorID, objectType: objectType, objectID: objectID, since: since)
        guard AccessPolicy.mayAdminister(principal) else { throw ServiceError.forbidden("Only administrators read the audit log.") }
        guard (1...200).contains(limit) else { throw ServiceError.invalid("limit", "The limit is 1 to 200.") }
        let entries = try await database.client.withConnection { connection in
            try await AuditRepository(connection: connection, logger: logger).list(filter, beforeID: before, limit: limit + 1)
        }
        let items = entries.prefix(limit).compactMap(AuditEntryView.init)
        return AuditPage(items: items, nextCursor: entries.count > limit ? items.last.map { String($0.id) } : nil)
    }
}

/// One page of the audit log; `nextCursor` fetches the next one.
public struct AuditPage: Sendable, Equatable, Codable {
    public var items: [AuditEntryView]
    public var nextCursor: String?
}

/// One entry of the audit log as the API shows it.
public struct AuditEntryView: Sendable, Equatable, Codable {
    public var id: Int64
    public var at: Date
    /// `nil` when Guichet itself or an operator on the command line acted.
    public var actorId: Int64?
    public var kind: String
    public var objectType: String?
    public var objectId: String?
    public var before: String?
    public var after: String?
    public var detail: String?
    public var requestId: String?
    public var client: String?

    /// An entry read from the log (one being written has no id nor time yet).
    init?(_ entry: AuditEntry) {
        guard let id = entry.id, let at = entry.at else { return nil }
        self.id = id
        self.at = at
        actorId = entry.actorID
        kind = entry.kind
        objectType = entry.objectType
        objectId = entry.objectID
        before = entry.before
        after = entry.after
        detail = entry.detail
        requestId = entry.requestID
        client = entry.client
    }
}
