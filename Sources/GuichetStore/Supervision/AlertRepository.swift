import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// A monitoring notification as it was received.
public struct StoredAlertNotification: Sendable, Equatable {
    public var id: Int64
    public var format: String
    public var body: String
    public var accountID: Int64
    public var processed: Bool
}

/// An alert after a signal was applied to it, and what the signal changed.
public struct AppliedAlert: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The first signal of this alert.
        case new
        /// The same status and start as a signal already applied: nothing changed.
        case replay
        /// A signal of an earlier occurrence than the current one, arrived late: recorded only.
        case stale
        /// The alert moved from `previous` (or started a new occurrence in the same status).
        case changed(previous: AlertSignal.Status)
    }

    public var id: Int64
    public var ticketID: Int64?
    public var outcome: Outcome

    public init(id: Int64, ticketID: Int64?, outcome: Outcome) {
        self.id = id
        self.ticketID = ticketID
        self.outcome = outcome
    }
}

/// Monitoring's notifications, alerts and their timelines, and the incidents they belong to.
public struct AlertRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func recordNotification(format: String, body: String, accountID: Int64) async throws -> Int64 {
        let rows = try await connection.query(
            "INSERT INTO alert_notifications (format, body, account_id) VALUES (\(format), \(body), \(accountID)) RETURNING id", logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.noRowReturned
    }

    public func notification(id: Int64) async throws -> StoredAlertNotification? {
        let rows = try await connection.query(
            "SELECT id, format, body, account_id, processed_at IS NOT NULL FROM alert_notifications WHERE id = \(id)", logger: logger
        )
        for try await (id, format, body, account, processed) in rows.decode((Int64, String, String, Int64, Bool).self) {
            return StoredAlertNotification(id: id, format: format, body: body, accountID: account, processed: processed)
        }
        return nil
    }

    public func markProcessed(id: Int64, alerts: Int, changed: Int) async throws {
        try await connection.query(
            "UPDATE alert_notifications SET processed_at = now(), alerts = \(Int32(alerts)), changed = \(Int32(changed)) WHERE id = \(id)",
            logger: logger
        )
    }

    /// Counts a signal that repeats a state already recorded for its occurrence (Alertmanager's
    /// repeats, a second HA peer, another contact notified) as seen, without locking anything;
    /// `false` when it is new and must be applied.
    public func countReplay(_ signal: AlertSignal, accountID: Int64) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE alerts a SET last_seen_at = now(), notifications = a.notifications + 1
            WHERE a.account_id = \(accountID) AND a.source = \(signal.source) AND a.key = \(signal.key)
              AND EXISTS (SELECT 1 FROM alert_events e WHERE e.alert_id = a.id AND e.status = \(signal.status.rawValue) AND e.occurrence = \(signal.occurrence))
            RETURNING a.id
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// Applies a signal to its alert (created at its first signal), holding the alert's row until
    /// the transaction ends; every state it tells of is recorded once in the alert's timeline.
    public func apply(_ signal: AlertSignal, accountID: Int64, ciID: Int64?, notificationID: Int64) async throws -> AppliedAlert {
        let labels = String(decoding: try JSONEncoder().encode(signal.labels), as: UTF8.self)
        let inserted = try await connection.query(
            """
            INSERT INTO alerts (account_id, source, key, status, severity, summary, details, labels, ci_id, starts_at, ends_at)
            VALUES (\(accountID), \(signal.source), \(signal.key), \(signal.status.rawValue), \(signal.severity.rawValue), \(signal.summary),
                \(signal.details), \(labels)::jsonb, \(ciID), \(signal.startsAt), \(signal.endsAt))
            ON CONFLICT (account_id, source, key) DO NOTHING RETURNING id
            """,
            logger: logger
        )
        for try await id in inserted.decode(Int64.self) {
            _ = try await recordEvent(alertID: id, signal, notificationID: notificationID)
            return AppliedAlert(id: id, ticketID: nil, outcome: .new)
        }
        let rows = try await connection.query(
            """
            SELECT id, status, starts_at, ticket_id FROM alerts
            WHERE account_id = \(accountID) AND source = \(signal.source) AND key = \(signal.key) FOR UPDATE
            """,
            logger: logger
        )
        var current: (id: Int64, status: String, startsAt: Date, ticketID: Int64?)?
        for try await row in rows.decode((Int64, String, Date, Int64?).self) { current = row }
        guard let current, let previous = AlertSignal.Status(rawValue: current.status) else { throw StoreError.noRowReturned }
        guard try await recordEvent(alertID: current.id, signal, notificationID: notificationID) else {
            try await connection.query(
                "UPDATE alerts SET last_seen_at = now(), notifications = notifications + 1 WHERE id = \(current.id)", logger: logger
            )
            return AppliedAlert(id: current.id, ticketID: current.ticketID, outcome: .replay)
        }
        if signal.startsAt < current.startsAt {
            return AppliedAlert(id: current.id, ticketID: current.ticketID, outcome: .stale)
        }
        try await connection.query(
            """
            UPDATE alerts SET status = \(signal.status.rawValue), severity = \(signal.severity.rawValue), summary = \(signal.summary),
                details = \(signal.details), labels = \(labels)::jsonb, ci_id = coalesce(\(ciID), ci_id),
                starts_at = coalesce(\(signal.status == .firing ? signal.startsAt : nil), starts_at),
                ends_at = \(signal.endsAt), last_seen_at = now(), notifications = notifications + 1
            WHERE id = \(current.id)
            """,
            logger: logger
        )
        return AppliedAlert(id: current.id, ticketID: current.ticketID, outcome: .changed(previous: previous))
    }

    /// Records a state in the alert's timeline; `false` when it was recorded before (a replay).
    private func recordEvent(alertID: Int64, _ signal: AlertSignal, notificationID: Int64) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO alert_events (alert_id, notification_id, status, occurrence)
            VALUES (\(alertID), \(notificationID), \(signal.status.rawValue), \(signal.occurrence))
            ON CONFLICT (alert_id, status, occurrence) DO NOTHING RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// Records an acknowledgement of the signal's occurrence; returns the alert's incident when it
    /// is the first for that occurrence (an acknowledgement is notified to every contact).
    public func acknowledge(_ signal: AlertSignal, accountID: Int64, notificationID: Int64) async throws -> Int64? {
        let rows = try await connection.query(
            """
            WITH alert AS (SELECT id, ticket_id FROM alerts WHERE account_id = \(accountID) AND source = \(signal.source) AND key = \(signal.key)),
                 recorded AS (
                     INSERT INTO alert_events (alert_id, notification_id, status, occurrence)
                     SELECT id, \(notificationID), 'acknowledged', \(signal.occurrence) FROM alert
                     ON CONFLICT (alert_id, status, occurrence) DO NOTHING RETURNING alert_id
                 )
            SELECT alert.ticket_id FROM alert JOIN recorded ON recorded.alert_id = alert.id WHERE alert.ticket_id IS NOT NULL
            """,
            logger: logger
        )
        for try await ticket in rows.decode(Int64.self) { return ticket }
        return nil
    }
}
