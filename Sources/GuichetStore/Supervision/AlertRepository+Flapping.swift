import Foundation
import GuichetDomain
import PostgresNIO

/// A flapping alert as its settling needs it, held until the transaction ends.
public struct FlappingAlert: Sendable, Equatable {
    public var id: Int64
    public var accountID: Int64
    public var status: AlertSignal.Status
    public var summary: String
    public var ticketID: Int64?
    public var ciID: Int64?
    public var flappingSince: Date?
    /// Its last change of state.
    public var lastChange: Date?
}

extension AlertRepository {
    /// How many times each alert changed state since `since`, or since it last settled.
    public func changes(of alertIDs: [Int64], since: Date) async throws -> [Int64: Int] {
        guard !alertIDs.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT a.id, (
                SELECT count(*) FROM alert_events e WHERE e.alert_id = a.id AND e.status <> 'acknowledged' AND e.at > greatest(\(since), a.settled_at)
            )::bigint
            FROM unnest(\(alertIDs)::int8[]) AS i(id) JOIN alerts a ON a.id = i.id
            """,
            logger: logger
        )
        var counts: [Int64: Int] = [:]
        for try await (id, count) in rows.decode((Int64, Int64).self) { counts[id] = Int(count) }
        return counts
    }

    /// Marks an alert flapping from `time`; its incident when it was not flapping already, else `nil`
    /// (and `.some(nil)` for one without an incident).
    public func markFlapping(alertID: Int64, at time: Date) async throws -> Int64?? {
        let rows = try await connection.query(
            "UPDATE alerts SET flapping_since = \(time) WHERE id = \(alertID) AND flapping_since IS NULL RETURNING ticket_id", logger: logger
        )
        for try await ticket in rows.decode(Int64?.self) { return .some(ticket) }
        return nil
    }

    /// The alert has settled at `time`: it flaps no more, and its earlier changes no longer count.
    public func clearFlapping(alertID: Int64, at time: Date) async throws {
        try await connection.query("UPDATE alerts SET flapping_since = NULL, settled_at = \(time) WHERE id = \(alertID)", logger: logger)
    }

    /// An alert by its source and key, with its CI.
    public func alert(source: String, key: String, accountID: Int64) async throws -> (id: Int64, ciID: Int64?)? {
        let rows = try await connection.query(
            "SELECT id, ci_id FROM alerts WHERE account_id = \(accountID) AND source = \(source) AND key = \(key)", logger: logger
        )
        for try await (id, ci) in rows.decode((Int64, Int64?).self) { return (id, ci) }
        return nil
    }

    /// An alert's state and last change, held until the transaction ends when `lock`.
    public func flappingState(alertID: Int64, lock: Bool) async throws -> FlappingAlert? {
        let rows = try await connection.query(
            """
            SELECT a.id, a.account_id, a.status, a.summary, a.ticket_id, a.ci_id, a.flapping_since,
                (SELECT max(e.at) FROM alert_events e WHERE e.alert_id = a.id AND e.status <> 'acknowledged')
            FROM alerts a WHERE a.id = \(alertID) \(unescaped: lock ? "FOR UPDATE OF a" : "")
            """,
            logger: logger
        )
        for try await (id, account, status, summary, ticket, ci, since, last) in rows.decode(
            (Int64, Int64, String, String, Int64?, Int64?, Date?, Date?).self
        ) {
            guard let status = AlertSignal.Status(rawValue: status) else { continue }
            return FlappingAlert(id: id, accountID: account, status: status, summary: summary, ticketID: ticket, ciID: ci, flappingSince: since, lastChange: last)
        }
        return nil
    }
}
