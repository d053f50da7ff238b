import GuichetDomain
import PostgresNIO
extension TicketRepository {
    /// The open tickets of a console queue as `personID` may see them (`scope`), most urgent first,
    /// then oldest first; narrowed to a priority, and to a text found in the reference, title,
    /// establishment or requester.
    public func queue(
        _ queue: ConsoleQueue, personID: Int64, scope: TicketScope, priority: Priority?, text: String?, limit: Int
    ) async throws -> [TicketRecord] {
        let priority = priority.map { Int16($0.rawValue) }
        let pattern = text.map(LikePattern.containing)
        let rows = try await connection.query(
            """
            SELECT \(unescaped: TicketRecord.columns) FROM tickets t \(unescaped: TicketRecord.joins)
            WHERE t.status NOT IN ('resolved', 'closed') AND \(visibleTo: scope)
              AND CASE \(queue.rawValue)
                WHEN 'mine' THEN t.agent_id = \(personID)
                WHEN 'team' THEN t.agent_id IS NULL AND t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.person_id = \(personID))
                WHEN 'breach' THEN t.sla_breached OR EXISTS (
                    SELECT 1 FROM ticket_sla_clocks c
                    WHERE c.ticket_id = t.id AND c.stopped_at IS NULL AND c.running_since IS NOT NULL
                      AND c.running_since + make_interval(secs => c.target_seconds - c.consumed_seconds) < now() + interval '1 hour')
                ELSE true
              END
              AND (\(priority)::smallint IS NULL OR t.priority = \(priority))
              AND (\(pattern)::text IS NULL OR t.ref ILIKE \(pattern) OR t.title ILIKE \(pattern) OR eo.name ILIKE \(pattern) OR rp.name ILIKE \(pattern))
            ORDER BY t.priority, t.created_at
            LIMIT \(limit)
            """,
            logger: logger
        )
        var records: [TicketRecord] = []
        for try await row in rows { records.append(try TicketRecord(row: row)) }
        return records
    }
}
