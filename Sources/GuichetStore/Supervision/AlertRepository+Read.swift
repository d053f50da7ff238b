import Foundation
import GuichetDomain
import PostgresNIO

/// An alert as an agent reads it, with its timeline when asked.
public struct AlertRecord: Sendable, Equatable {
    public struct Event: Sendable, Equatable {
        public var status: String
        public var occurrence: String
        public var at: Date
    }

    public var id: Int64
    public var source: String
    public var key: String
    public var status: AlertSignal.Status
    public var severity: AlertSignal.Severity
    public var summary: String
    public var details: String?
    public var labels: [String: String]
    public var ciID: Int64?
    public var ciName: String?
    public var ticketID: Int64?
    public var ticketRef: String?
    public var startsAt: Date
    public var endsAt: Date?
    public var firstSeenAt: Date
    public var lastSeenAt: Date
    public var notifications: Int
    public var flappingSince: Date?
    public var events: [Event] = []
}

extension AlertRepository {
    static let recordColumns = """
        a.id, a.source, a.key, a.status, a.severity, a.summary, a.details, a.labels::text, a.ci_id, c.name, a.ticket_id, t.ref,
        a.starts_at, a.ends_at, a.first_seen_at, a.last_seen_at, a.notifications, a.flapping_since
        FROM alerts a LEFT JOIN cis c ON c.id = a.ci_id LEFT JOIN tickets t ON t.id = a.ticket_id
        """

    /// The alerts of an incident, firing first, with their timelines.
    public func alerts(ofTicket ticketID: Int64) async throws -> [AlertRecord] {
        var records = try await records(
            "SELECT \(unescaped: Self.recordColumns) WHERE a.ticket_id = \(ticketID) ORDER BY a.status = 'resolved', a.first_seen_at, a.id LIMIT 500"
        )
        let ids = records.map(\.id)
        let rows = try await connection.query(
            "SELECT alert_id, status, occurrence, at FROM alert_events WHERE alert_id = ANY(\(ids)::bigint[]) ORDER BY at, id", logger: logger
        )
        var events: [Int64: [AlertRecord.Event]] = [:]
        for try await (alert, status, occurrence, at) in rows.decode((Int64, String, String, Date).self) {
            events[alert, default: []].append(AlertRecord.Event(status: status, occurrence: occurrence, at: at))
        }
        for index in records.indices { records[index].events = events[records[index].id] ?? [] }
        return records
    }

    /// Alerts whose summary, key, source or CI holds `text` (case aside), in a status, newest first,
    /// after the alert `afterID` of the previous page.
    public func search(_ text: String?, status: AlertSignal.Status?, afterID: Int64?, limit: Int) async throws -> [AlertRecord] {
        let pattern = text.map(LikePattern.containing)
        return try await records(
            """
            SELECT \(unescaped: Self.recordColumns)
            WHERE (\(pattern)::text IS NULL OR a.summary ILIKE \(pattern) OR a.key ILIKE \(pattern) OR a.source ILIKE \(pattern) OR c.name ILIKE \(pattern))
              AND (\(status?.rawValue)::text IS NULL OR a.status = \(status?.rawValue))
              AND (\(afterID)::bigint IS NULL OR a.id < \(afterID))
            ORDER BY a.id DESC LIMIT \(limit)
            """
        )
    }

    private func records(_ query: PostgresQuery) async throws -> [AlertRecord] {
        var records: [AlertRecord] = []
        for try await row in try await connection.query(query, logger: logger) {
            let (id, source, key, status, severity, summary, details, labels, ci, ciName, ticket, ref, starts, ends, first, last, count, flapping) = try row.decode(
                (Int64, String, String, String, String, String, String?, String, Int64?, String?, Int64?, String?, Date, Date?, Date, Date, Int32, Date?).self
            )
            records.append(
                AlertRecord(
                    id: id, source: source, key: key, status: AlertSignal.Status(rawValue: status) ?? .firing,
                    severity: AlertSignal.Severity(rawValue: severity) ?? .warning, summary: summary, details: details,
                    labels: (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:], ciID: ci, ciName: ciName, ticketID: ticket,
                    ticketRef: ref, startsAt: starts, endsAt: ends, firstSeenAt: first, lastSeenAt: last, notifications: Int(count),
                    flappingSince: flapping
                )
            )
        }
        return records
    }
}
