import Foundation
import GuichetDomain
import PostgresNIO

/// The CI an alert maps to, as correlation needs it.
public struct AlertCI: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var ciClass: CIClass
    public var establishmentID: Int64?
    public var establishmentName: String?
}

extension AlertRepository {
    /// The CI each signal names (`ci`: an id or a name), else the first of its hosts that is a CI's
    /// name (as written, in capitals or in small letters, as host names and inventories differ; or
    /// its first label: `sw-b-01.lycee.local`) or IP address, each found by its index; a CI in use
    /// before a retired one. One statement for the whole batch, in the signals' order.
    public func cis(for signals: [AlertSignal]) async throws -> [AlertCI?] {
        var positions: [Int64] = [], ranks: [Int64] = [], ids: [Int64] = [], names: [String] = [], uppers: [String] = [], lowers: [String] = []
        for (position, signal) in signals.enumerated() {
            var candidates: [String] = []
            if let ci = signal.ci { candidates.append(ci) }
            for host in signal.hosts where !host.isEmpty {
                candidates.append(host)
                if let first = host.split(separator: ".").first, first.count < host.count, !first.allSatisfy(\.isNumber) { candidates.append(String(first)) }
            }
            for (rank, name) in candidates.enumerated() {
                positions.append(Int64(position))
                ranks.append(Int64(rank))
                ids.append(signal.ci == name ? Int64(name) ?? 0 : 0)
                names.append(name)
                uppers.append(name.uppercased())
                lowers.append(name.lowercased())
            }
        }
        var found = [AlertCI?](repeating: nil, count: signals.count)
        guard !positions.isEmpty else { return found }
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (w.position) w.position, c.id, c.name, c.class, c.establishment_id, o.name
            FROM unnest(\(positions)::int8[], \(ranks)::int8[], \(ids)::int8[], \(names)::text[], \(uppers)::text[], \(lowers)::text[])
                AS w(position, rank, id, name, upper, lower)
            CROSS JOIN LATERAL (
                SELECT c.id, c.name, c.class, c.establishment_id FROM cis c
                WHERE c.id = w.id OR c.name = ANY(ARRAY[w.name, w.upper, w.lower]) OR host(c.ip) = w.name
                ORDER BY c.status = 'retired', c.name = ANY(ARRAY[w.name, w.upper, w.lower]) DESC, c.id LIMIT 1
            ) c
            LEFT JOIN organizations o ON o.id = c.establishment_id
            ORDER BY w.position, w.rank
            """,
            logger: logger
        )
        for try await (position, id, ciName, ciClass, establishment, establishmentName) in rows.decode((Int64, Int64, String, String, Int64?, String?).self) {
            guard let ciClass = CIClass(rawValue: ciClass) else { continue }
            found[Int(position)] = AlertCI(id: id, name: ciName, ciClass: ciClass, establishmentID: establishment, establishmentName: establishmentName)
        }
        return found
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

    /// A firing alert that has no incident yet (or, `withIncident`, whether it has one or not), as a
    /// signal again with its account, held until the transaction ends; `nil` once it has one or has
    /// resolved.
    public func pending(alertID: Int64, withIncident: Bool = false) async throws -> (signal: AlertSignal, accountID: Int64)? {
        let rows = try await connection.query(
            """
            SELECT source, key, severity, summary, details, labels::text, account_id, starts_at FROM alerts
            WHERE id = \(alertID) AND status = 'firing' AND (ticket_id IS NULL OR \(withIncident)) FOR UPDATE
            """,
            logger: logger
        )
        for try await (source, key, severity, summary, details, labels, account, starts) in rows.decode(
            (String, String, String, String, String?, String, Int64, Date).self
        ) {
            let signal = AlertSignal(
                source: source, key: key, status: .firing, severity: AlertSignal.Severity(rawValue: severity) ?? .warning,
                labels: (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:], summary: summary, details: details,
                startsAt: starts
            )
            return (signal, account)
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
    /// devices of its establishment. Returns the alerts gathered, with their CIs.
    public func gather(intoTicket ticketID: Int64, below ciID: Int64, networkOf establishmentID: Int64?) async throws -> [(alert: Int64, ci: Int64?)] {
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
            RETURNING a.id, a.ci_id
            """,
            logger: logger
        )
        var gathered: [(alert: Int64, ci: Int64?)] = []
        for try await (alert, ci) in rows.decode((Int64, Int64?).self) { gathered.append((alert, ci)) }
        return gathered
    }

    /// Moves alerts of one incident to another: those of `alertIDs`, or all of them when `nil`.
    /// Returns the alerts moved, with their CIs.
    public func move(fromTicket source: Int64, toTicket target: Int64, alertIDs: [Int64]?) async throws -> [(alert: Int64, ci: Int64?)] {
        let rows = try await connection.query(
            """
            UPDATE alerts SET ticket_id = \(target)
            WHERE ticket_id = \(source) AND (\(alertIDs == nil) OR id = ANY(\(alertIDs ?? [])::bigint[])) RETURNING id, ci_id
            """,
            logger: logger
        )
        var moved: [(alert: Int64, ci: Int64?)] = []
        for try await (alert, ci) in rows.decode((Int64, Int64?).self) { moved.append((alert, ci)) }
        return moved
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
            -- each CI's firing alerts and their incidents by their indexes: in a storm, joining would
            -- hash every firing alert and every ticket
            SELECT t.id FROM up
            CROSS JOIN LATERAL (SELECT a.ticket_id FROM alerts a WHERE a.ci_id = up.id AND a.status = 'firing' AND a.ticket_id IS NOT NULL) a
            CROSS JOIN LATERAL (
                SELECT t.id FROM tickets t WHERE t.id = a.ticket_id AND t.origin = 'monitoring' AND t.status NOT IN ('resolved', 'closed')
            ) t
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
}
