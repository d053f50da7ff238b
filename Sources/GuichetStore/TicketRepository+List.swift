import Foundation
import GuichetDomain
import PostgresNIO
extension TicketRepository {
    /// Newest first; `afterID` continues a page (keyset pagination: stable while tickets are added).
    public func list(_ filter: TicketFilter, scope: TicketScope, afterID: Int64?, limit: Int) async throws -> [TicketRecord] {
        let statuses = filter.statuses?.map(\.rawValue)
        let priority = filter.priority.map { Int16($0.rawValue) }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: TicketRecord.columns) FROM tickets t \(unescaped: TicketRecord.joins)
            WHERE \(visibleTo: scope)
              AND (\(statuses)::text[] IS NULL OR t.status = ANY(\(statuses)))
              AND (\(filter.teamID)::bigint IS NULL OR t.team_id = \(filter.teamID))
              AND (\(filter.agentID)::bigint IS NULL OR t.agent_id = \(filter.agentID))
              AND (\(filter.establishmentID)::bigint IS NULL OR t.establishment_id = \(filter.establishmentID))
              AND (\(priority)::smallint IS NULL OR t.priority = \(priority))
              AND (\(filter.kind?.rawValue)::text IS NULL OR t.kind = \(filter.kind?.rawValue))
              AND (\(filter.origin?.rawValue)::text IS NULL OR t.origin = \(filter.origin?.rawValue))
              AND (\(afterID)::bigint IS NULL OR t.id < \(afterID))
            ORDER BY t.id DESC
            LIMIT \(limit)
            """,
            logger: logger
        )
        var records: [TicketRecord] = []
        for try await row in rows { records.append(try TicketRecord(row: row)) }
        return records
    }
}

extension TicketRepository {
    /// Resolved tickets whose requester has not written since `before`: the ones to close by themselves.
    public func resolvedWithoutReply(since before: Date, limit: Int) async throws -> [Int64] {
        let rows = try await connection.query(
            """
            SELECT t.id FROM tickets t
            WHERE t.status = 'resolved' AND t.resolved_at < \(before)
              AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = t.id AND c.author_id = t.requester_id AND c.created_at > t.resolved_at)
            ORDER BY t.resolved_at LIMIT \(limit)
            """,
            logger: logger
        )
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }
}
