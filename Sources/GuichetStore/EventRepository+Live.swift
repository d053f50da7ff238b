import PostgresNIO

extension EventRepository {
    /// The newest history entry's id, where a live feed starts.
    public func latestID() async throws -> Int64 {
        let rows = try await connection.query("SELECT coalesce(max(id), 0) FROM ticket_events", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return 0
    }

    /// The kinds of the history entries written after `id`, with the last id read: what a live feed
    /// announces (kinds only: which tickets changed is for each browser to ask within its perimeter).
    public func kinds(after id: Int64, limit: Int) async throws -> (kinds: [String], lastID: Int64) {
        let rows = try await connection.query(
            "SELECT id, kind FROM ticket_events WHERE id > \(id) ORDER BY id LIMIT \(limit)",
            logger: logger
        )
        var kinds: [String] = []
        var last = id
        for try await (eventID, kind) in rows.decode((Int64, String).self) {
            kinds.append(kind)
            last = eventID
        }
        return (kinds, last)
    }
}
