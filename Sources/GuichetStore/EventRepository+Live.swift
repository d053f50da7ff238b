import GuichetDomain
import PostgresNIO

extension EventRepository {
    /// A history entry as a live feed passes it on: which ticket, what happened.
    public struct LiveEvent: Sendable, Equatable {
        public var ticketID: Int64
        public var kind: String
    }

    /// The newest history entry's id, where a live feed starts.
    public func latestID() async throws -> Int64 {
        let rows = try await connection.query("SELECT coalesce(max(id), 0) FROM ticket_events", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return 0
    }

    /// The history entries written after `id`, with the last id read: what a live feed announces.
    public func events(after id: Int64, limit: Int) async throws -> (events: [LiveEvent], lastID: Int64) {
        let rows = try await connection.query(
            "SELECT id, ticket_id, kind FROM ticket_events WHERE id > \(id) ORDER BY id LIMIT \(limit)",
            logger: logger
        )
        var events: [LiveEvent] = []
        var last = id
        for try await (eventID, ticketID, kind) in rows.decode((Int64, Int64, String).self) {
            events.append(LiveEvent(ticketID: ticketID, kind: kind))
            last = eventID
        }
        return (events, last)
    }

    /// Which of `ticketIDs` `scope` may see: a live feed tells each reader only of those.
    public func visible(_ ticketIDs: [Int64], to scope: TicketScope) async throws -> Set<Int64> {
        let rows = try await connection.query(
            "SELECT t.id FROM tickets t WHERE t.id = ANY(\(ticketIDs)) AND \(visibleTo: scope)",
            logger: logger
        )
        var visible: Set<Int64> = []
        for try await id in rows.decode(Int64.self) { visible.insert(id) }
        return visible
    }
}
