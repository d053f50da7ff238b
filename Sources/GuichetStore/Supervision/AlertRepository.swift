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
    /// It was flapping before this signal.
    public var flapping: Bool

    public init(id: Int64, ticketID: Int64?, outcome: Outcome, flapping: Bool = false) {
        self.id = id
        self.ticketID = ticketID
        self.outcome = outcome
        self.flapping = flapping
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

    /// Counts the signals that repeat a state already recorded for their occurrence (Alertmanager's
    /// repeats, a second HA peer, another contact notified) as seen; returns their positions in
    /// `signals`. The rest are new and must be applied. Their alerts are locked in id order, so two
    /// notifications counting the same alerts never deadlock.
    public func countReplays(_ signals: [AlertSignal], accountID: Int64) async throws -> Set<Int> {
        let told = SignalColumns(signals)
        let rows = try await connection.query(
            """
            WITH told(position, source, key, status, occurrence) AS (
                SELECT * FROM unnest(\(told.positions)::int8[], \(told.sources)::text[], \(told.keys)::text[], \(told.statuses)::text[], \(told.occurrences)::text[])
            ),
            -- each signal looks its alert and its state up by their indexes: a join would let the
            -- planner hash every event of the same occurrence (an outage's alerts share their start)
            repeated AS (
                SELECT a.id, t.position FROM told t
                CROSS JOIN LATERAL (SELECT a.id FROM alerts a WHERE a.account_id = \(accountID) AND a.source = t.source AND a.key = t.key) a
                CROSS JOIN LATERAL (
                    SELECT 1 FROM alert_events e WHERE e.alert_id = a.id AND e.status = t.status AND e.occurrence = t.occurrence LIMIT 1
                ) e
            ),
            locked AS (SELECT id FROM alerts WHERE id IN (SELECT id FROM repeated) ORDER BY id FOR UPDATE),
            counted AS (
                UPDATE alerts a SET last_seen_at = now(), notifications = a.notifications + r.times
                FROM (SELECT id, count(*)::int AS times FROM repeated WHERE id IN (SELECT id FROM locked) GROUP BY id) r WHERE a.id = r.id
            )
            SELECT position FROM repeated
            """,
            logger: logger
        )
        var replays: Set<Int> = []
        for try await position in rows.decode(Int64.self) { replays.insert(Int(position)) }
        return replays
    }

    /// Applies signals of distinct alerts to their alerts (each created at its first signal, with
    /// its CI from `cis`), holding the alerts' rows until the transaction ends; every state they
    /// tell of is recorded once in its alert's timeline. Returns what each signal did, in order.
    public func apply(_ signals: [AlertSignal], cis: [AlertCI?], accountID: Int64, notificationID: Int64) async throws -> [AppliedAlert] {
        let told = SignalColumns(signals, cis: cis)
        var current = try await lock(told, accountID: accountID)
        var created: Set<Int64> = []
        let missing = signals.indices.filter { current[told.identities[$0]] == nil }
        if !missing.isEmpty {
            let new = told.subset(missing)
            let rows = try await connection.query(
                """
                INSERT INTO alerts (account_id, source, key, status, severity, summary, details, labels, ci_id, starts_at, ends_at)
                SELECT \(accountID), v.source, v.key, v.status, v.severity, v.summary, NULLIF(v.details, ''), v.labels::jsonb, NULLIF(v.ci, 0), v.starts,
                    CASE WHEN v.ended THEN v.ends END
                FROM unnest(\(new.sources)::text[], \(new.keys)::text[], \(new.statuses)::text[], \(new.severities)::text[], \(new.summaries)::text[],
                    \(new.details)::text[], \(new.labels)::text[], \(new.ciIDs)::int8[], \(new.startsAt)::timestamptz[], \(new.ended)::bool[], \(new.endsAt)::timestamptz[])
                    AS v(source, key, status, severity, summary, details, labels, ci, starts, ended, ends)
                ON CONFLICT (account_id, source, key) DO NOTHING RETURNING id, source, key
                """,
                logger: logger
            )
            for try await (id, source, key) in rows.decode((Int64, String, String).self) {
                created.insert(id)
                current[SignalColumns.identity(source: source, key: key)] = Current(
                    id: id, status: .firing, startsAt: .distantPast, ticketID: nil, flappingSince: nil
                )
            }
            // another worker created some of them meanwhile: they are now theirs to lock and change
            if created.count < missing.count { current.merge(try await lock(new, accountID: accountID)) { mine, _ in mine } }
        }
        let ids = told.identities.map { current[$0]?.id ?? 0 }
        let events = try await connection.query(
            """
            INSERT INTO alert_events (alert_id, notification_id, status, occurrence)
            SELECT v.alert, \(notificationID), v.status, v.occurrence FROM unnest(\(ids)::int8[], \(told.statuses)::text[], \(told.occurrences)::text[]) AS v(alert, status, occurrence)
            ON CONFLICT (alert_id, status, occurrence) DO NOTHING RETURNING alert_id
            """,
            logger: logger
        )
        var recorded: Set<Int64> = []
        for try await id in events.decode(Int64.self) { recorded.insert(id) }

        var applied: [AppliedAlert] = []
        var replayed: [Int64] = []
        var changed: [Int] = []
        for (index, signal) in signals.enumerated() {
            guard let alert = current[told.identities[index]] else { throw StoreError.noRowReturned }
            if created.contains(alert.id) {
                applied.append(AppliedAlert(id: alert.id, ticketID: nil, outcome: .new))
            } else if !recorded.contains(alert.id) {
                replayed.append(alert.id)
                applied.append(AppliedAlert(id: alert.id, ticketID: alert.ticketID, outcome: .replay))
            } else if signal.startsAt.isEarlier(than: alert.startsAt) {
                applied.append(AppliedAlert(id: alert.id, ticketID: alert.ticketID, outcome: .stale))
            } else {
                changed.append(index)
                applied.append(
                    AppliedAlert(id: alert.id, ticketID: alert.ticketID, outcome: .changed(previous: alert.status), flapping: alert.flappingSince != nil)
                )
            }
        }
        if !replayed.isEmpty {
            try await connection.query(
                "UPDATE alerts SET last_seen_at = now(), notifications = notifications + 1 WHERE id = ANY(\(replayed))", logger: logger
            )
        }
        if !changed.isEmpty {
            let update = told.subset(changed)
            let changedIDs = changed.map { ids[$0] }
            try await connection.query(
                """
                UPDATE alerts a SET status = v.status, severity = v.severity, summary = v.summary, details = NULLIF(v.details, ''), labels = v.labels::jsonb,
                    ci_id = coalesce(NULLIF(v.ci, 0), a.ci_id), starts_at = CASE WHEN v.status = 'firing' THEN v.starts ELSE a.starts_at END,
                    ends_at = CASE WHEN v.ended THEN v.ends END, last_seen_at = now(), notifications = a.notifications + 1
                FROM unnest(\(changedIDs)::int8[], \(update.statuses)::text[], \(update.severities)::text[], \(update.summaries)::text[], \(update.details)::text[],
                    \(update.labels)::text[], \(update.ciIDs)::int8[], \(update.startsAt)::timestamptz[], \(update.ended)::bool[], \(update.endsAt)::timestamptz[])
                    AS v(id, status, severity, summary, details, labels, ci, starts, ended, ends)
                WHERE a.id = v.id
                """,
                logger: logger
            )
        }
        return applied
    }

    /// An alert's state before a signal is applied.
    private struct Current {
        var id: Int64
        var status: AlertSignal.Status
        var startsAt: Date
        var ticketID: Int64?
        var flappingSince: Date?
    }

    /// Locks the existing alerts of the signals, in id order; by identity.
    private func lock(_ told: SignalColumns, accountID: Int64) async throws -> [String: Current] {
        let rows = try await connection.query(
            """
            SELECT a.id, a.source, a.key, a.status, a.starts_at, a.ticket_id, a.flapping_since
            FROM unnest(\(told.sources)::text[], \(told.keys)::text[]) AS t(source, key)
            JOIN alerts a ON a.account_id = \(accountID) AND a.source = t.source AND a.key = t.key
            ORDER BY a.id FOR UPDATE OF a
            """,
            logger: logger
        )
        var found: [String: Current] = [:]
        for try await (id, source, key, status, startsAt, ticketID, flapping) in rows.decode((Int64, String, String, String, Date, Int64?, Date?).self) {
            guard let status = AlertSignal.Status(rawValue: status) else { continue }
            found[SignalColumns.identity(source: source, key: key)] = Current(
                id: id, status: status, startsAt: startsAt, ticketID: ticketID, flappingSince: flapping
            )
        }
        return found
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
