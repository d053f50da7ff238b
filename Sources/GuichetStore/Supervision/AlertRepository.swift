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

/// The CI an alert maps to, as correlation needs it.
public struct AlertCI: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var ciClass: CIClass
    public var establishmentID: Int64?
    public var establishmentName: String?
}

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
    public var events: [Event] = []
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

    /// The CI a signal names (`ci`: an id or a name), else the first of its hosts that is a CI's
    /// name (as written, in capitals or in small letters, as host names and inventories differ; or
    /// its first label: `sw-b-01.lycee.local`) or IP address, each found by its index; a CI in use
    /// before a retired one.
    public func ci(for signal: AlertSignal) async throws -> AlertCI? {
        var names: [String] = []
        if let ci = signal.ci { names.append(ci) }
        for host in signal.hosts where !host.isEmpty {
            names.append(host)
            if let first = host.split(separator: ".").first, first.count < host.count, !first.allSatisfy(\.isNumber) { names.append(String(first)) }
        }
        for name in names {
            let rows = try await connection.query(
                """
                SELECT c.id, c.name, c.class, c.establishment_id, o.name FROM cis c LEFT JOIN organizations o ON o.id = c.establishment_id
                WHERE c.id = \(signal.ci == name ? Int64(name) : nil) OR c.name = ANY(\([name, name.uppercased(), name.lowercased()])::text[])
                   OR host(c.ip) = \(name)
                ORDER BY c.status = 'retired', c.name = ANY(\([name, name.uppercased(), name.lowercased()])::text[]) DESC, c.id LIMIT 1
                """,
                logger: logger
            )
            for try await (id, ciName, ciClass, establishment, establishmentName) in rows.decode((Int64, String, String, Int64?, String?).self) {
                guard let ciClass = CIClass(rawValue: ciClass) else { continue }
                return AlertCI(id: id, name: ciName, ciClass: ciClass, establishmentID: establishment, establishmentName: establishmentName)
            }
        }
        return nil
    }

    public func ci(id: Int64) async throws -> AlertCI? {
        let rows = try await connection.query(
            "SELECT c.id, c.name, c.class, c.establishment_id, o.name FROM cis c LEFT JOIN organizations o ON o.id = c.establishment_id WHERE c.id = \(id)",
            logger: logger
        )
        for try await (id, name, ciClass, establishment, establishmentName) in rows.decode((Int64, String, String, Int64?, String?).self) {
            guard let ciClass = CIClass(rawValue: ciClass) else { continue }
            return AlertCI(id: id, name: name, ciClass: ciClass, establishmentID: establishment, establishmentName: establishmentName)
        }
        return nil
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

    /// A firing alert that has no incident yet, as a signal again (its CI and account with it),
    /// held until the transaction ends; `nil` once it has one or has resolved.
    public func pending(alertID: Int64) async throws -> (signal: AlertSignal, ciID: Int64?, accountID: Int64, firstSeenAt: Date)? {
        let rows = try await connection.query(
            """
            SELECT source, key, severity, summary, details, labels::text, ci_id, account_id, starts_at, first_seen_at FROM alerts
            WHERE id = \(alertID) AND status = 'firing' AND ticket_id IS NULL FOR UPDATE
            """,
            logger: logger
        )
        for try await (source, key, severity, summary, details, labels, ci, account, starts, firstSeen) in rows.decode(
            (String, String, String, String, String?, String, Int64?, Int64, Date, Date).self
        ) {
            let signal = AlertSignal(
                source: source, key: key, status: .firing, severity: AlertSignal.Severity(rawValue: severity) ?? .warning,
                labels: (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:], summary: summary, details: details,
                startsAt: starts
            )
            return (signal, ci, account, firstSeen)
        }
        return nil
    }

    /// The CI of a firing alert that has no incident yet.
    public func pendingCI(alertID: Int64) async throws -> Int64? {
        let rows = try await connection.query(
            "SELECT ci_id FROM alerts WHERE id = \(alertID) AND status = 'firing' AND ticket_id IS NULL", logger: logger
        )
        for try await ci in rows.decode(Int64?.self) { return ci }
        return nil
    }

    /// Whether a CI depends on another: an alert on it may be caused by one on what it depends on.
    public func dependsOnAnother(_ ciID: Int64) async throws -> Bool {
        let rows = try await connection.query("SELECT EXISTS (SELECT 1 FROM ci_relations WHERE dependent_id = \(ciID))", logger: logger)
        for try await found in rows.decode(Bool.self) { return found }
        return false
    }

    /// Gathers into an incident the firing alerts without one that it explains: those on the CIs
    /// that depend on `ciID` (within eight steps) and, for a network device, on the other network
    /// devices of its establishment. Returns their CIs.
    public func gather(intoTicket ticketID: Int64, below ciID: Int64, networkOf establishmentID: Int64?) async throws -> [Int64] {
        let classes = CIClass.allCases.filter { $0.family == .network }.map(\.rawValue)
        let rows = try await connection.query(
            """
            WITH RECURSIVE down(id, depth) AS (
                SELECT \(ciID)::bigint, 0
                UNION
                SELECT r.dependent_id, down.depth + 1 FROM ci_relations r JOIN down ON r.dependency_id = down.id WHERE down.depth < 8
            )
            UPDATE alerts a SET ticket_id = \(ticketID)
            WHERE a.status = 'firing' AND a.ticket_id IS NULL
              AND (a.ci_id IN (SELECT id FROM down)
                   OR a.ci_id IN (SELECT c.id FROM cis c WHERE c.establishment_id = \(establishmentID) AND c.class = ANY(\(classes)::text[])))
            RETURNING a.ci_id
            """,
            logger: logger
        )
        var cis: [Int64] = []
        for try await ci in rows.decode(Int64?.self) { if let ci { cis.append(ci) } }
        return cis
    }

    public func attach(alertID: Int64, toTicket ticketID: Int64) async throws {
        try await connection.query("UPDATE alerts SET ticket_id = \(ticketID) WHERE id = \(alertID)", logger: logger)
    }

    /// The open monitoring incident of a firing alert on this CI or on one it depends on (within
    /// eight steps), the closest first: an alert joins the incident of its cause.
    public func incidentUpstream(of ciID: Int64) async throws -> Int64? {
        let rows = try await connection.query(
            """
            WITH RECURSIVE up(id, depth) AS (
                SELECT \(ciID)::bigint, 0
                UNION
                SELECT r.dependency_id, up.depth + 1 FROM ci_relations r JOIN up ON r.dependent_id = up.id WHERE up.depth < 8
            )
            SELECT a.ticket_id FROM up JOIN alerts a ON a.ci_id = up.id AND a.status = 'firing' JOIN tickets t ON t.id = a.ticket_id
            WHERE t.origin = 'monitoring' AND t.status NOT IN ('resolved', 'closed')
            ORDER BY up.depth, t.id LIMIT 1
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    /// The open monitoring incident of an establishment's network: one of its alerts is on a
    /// network device of the establishment.
    public func networkIncident(establishmentID: Int64) async throws -> Int64? {
        let classes = CIClass.allCases.filter { $0.family == .network }.map(\.rawValue)
        let rows = try await connection.query(
            """
            SELECT t.id FROM tickets t JOIN alerts a ON a.ticket_id = t.id JOIN cis c ON c.id = a.ci_id
            WHERE t.establishment_id = \(establishmentID) AND t.origin = 'monitoring' AND t.status NOT IN ('resolved', 'closed')
              AND c.establishment_id = \(establishmentID) AND c.class = ANY(\(classes)::text[])
            ORDER BY t.id LIMIT 1
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    /// How many alerts of an incident still fire.
    public func firingAlerts(ofTicket ticketID: Int64) async throws -> Int {
        let rows = try await connection.query(
            "SELECT count(*)::bigint FROM alerts WHERE ticket_id = \(ticketID) AND status = 'firing'", logger: logger
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Whether someone other than its requester (the monitoring source) acted on or wrote in the
    /// ticket: then an agent has it in hand, and a recovery is theirs to confirm.
    public func handledByPeople(ticketID: Int64) async throws -> Bool {
        let rows = try await connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id
                           WHERE t.id = \(ticketID) AND e.actor_id IS NOT NULL AND e.actor_id <> t.requester_id)
                OR EXISTS (SELECT 1 FROM tickets t JOIN comments c ON c.ticket_id = t.id WHERE t.id = \(ticketID) AND c.author_id <> t.requester_id)
            """,
            logger: logger
        )
        for try await handled in rows.decode(Bool.self) { return handled }
        return false
    }

    static let recordColumns = """
        a.id, a.source, a.key, a.status, a.severity, a.summary, a.details, a.labels::text, a.ci_id, c.name, a.ticket_id, t.ref,
        a.starts_at, a.ends_at, a.first_seen_at, a.last_seen_at, a.notifications
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
            let (id, source, key, status, severity, summary, details, labels, ci, ciName, ticket, ref, starts, ends, first, last, count) = try row.decode(
                (Int64, String, String, String, String, String, String?, String, Int64?, String?, Int64?, String?, Date, Date?, Date, Date, Int32).self
            )
            records.append(
                AlertRecord(
                    id: id, source: source, key: key, status: AlertSignal.Status(rawValue: status) ?? .firing,
                    severity: AlertSignal.Severity(rawValue: severity) ?? .warning, summary: summary, details: details,
                    labels: (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:], ciID: ci, ciName: ciName, ticketID: ticket,
                    ticketRef: ref, startsAt: starts, endsAt: ends, firstSeenAt: first, lastSeenAt: last, notifications: Int(count)
                )
            )
        }
        return records
    }
}
