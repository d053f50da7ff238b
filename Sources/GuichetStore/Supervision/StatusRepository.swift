import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// One line of the status board: a business service or an establishment, with since when it is
/// down (an alert fires on the service itself, or on a root of the establishment's network) or
/// degraded (an alert fires on what the service depends on, or on another CI of the establishment),
/// the open monitoring incidents behind it, and the maintenance windows running or planned on it.
public struct StatusLine: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case service, establishment
    }

    public var kind: Kind
    /// The service's CI, or the establishment's organisation.
    public var id: Int64
    public var name: String
    /// The establishment's UAI, or for a service of one establishment, that establishment's.
    public var code: String?
    public var downSince: Date?
    public var degradedSince: Date?
    public var incidentIDs: [Int64]
    public var maintenanceIDs: [Int64]
}

/// An open monitoring incident as the status board shows it.
public struct StatusIncident: Sendable, Equatable {
    public var id: Int64
    public var ref: String
    public var title: String
    public var priority: Int
    public var status: TicketStatus
    public var createdAt: Date
}

/// The status board's lines, within a reader's perimeter (`CIScope`): region-wide services for
/// everyone, and the services and establishments of the establishments the reader may see.
public struct StatusRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Business services and applications in use, region-wide ones first, each with what its
    /// firing alerts say: on itself (down) or on what it depends on, within eight steps (degraded);
    /// and the windows not cancelled on those CIs that have not ended at `now` and start before `until`.
    public func services(scope: CIScope, now: Date, until: Date) async throws -> [StatusLine] {
        let rows = try await connection.query(
            """
            WITH RECURSIVE shown AS (
                SELECT c.id, c.name, c.establishment_id FROM cis c
                WHERE c.class IN ('business_service', 'application') AND c.status <> 'retired'
                  AND (c.establishment_id IS NULL OR c.establishment_id IN (SELECT o.id FROM organizations o WHERE \(establishmentVisibleTo: scope)))
            ),
            below(service, ci, depth) AS (
                SELECT id, id, 0 FROM shown
                UNION
                SELECT b.service, r.dependency_id, b.depth + 1 FROM below b JOIN ci_relations r ON r.dependent_id = b.ci WHERE b.depth < 8
            ),
            firing AS (
                SELECT b.service, min(b.depth) AS depth, min(a.starts_at) AS since, array_remove(array_agg(DISTINCT a.ticket_id), NULL) AS incidents
                FROM below b JOIN alerts a ON a.ci_id = b.ci AND a.status = 'firing'
                GROUP BY b.service
            ),
            planned AS (
                SELECT b.service, array_agg(DISTINCT w.id) AS windows FROM below b JOIN maintenance_windows w ON w.ci_id = b.ci
                WHERE w.cancelled_at IS NULL AND (w.ends_at IS NULL OR w.ends_at > \(now)) AND w.starts_at < \(until)
                GROUP BY b.service
            )
            SELECT s.id, s.name, o.code, f.since, f.depth, coalesce(f.incidents, '{}'), coalesce(p.windows, '{}')
            FROM shown s LEFT JOIN firing f ON f.service = s.id LEFT JOIN planned p ON p.service = s.id LEFT JOIN organizations o ON o.id = s.establishment_id
            ORDER BY s.establishment_id IS NOT NULL, f.depth IS NULL, f.depth, s.name, s.id
            """,
            logger: logger
        )
        var lines: [StatusLine] = []
        for try await (id, name, code, since, depth, incidents, windows) in rows.decode((Int64, String, String?, Date?, Int32?, [Int64], [Int64]).self) {
            lines.append(
                StatusLine(
                    kind: .service, id: id, name: name, code: code, downSince: depth == 0 ? since : nil, degradedSince: since, incidentIDs: incidents,
                    maintenanceIDs: windows
                )
            )
        }
        return lines
    }

    /// The establishments the reader may see, down ones first, then degraded, then by name, each
    /// with what the firing alerts on its CIs say, its open monitoring incidents, and the windows
    /// on it or its CIs not cancelled that have not ended at `now` and start before `until`.
    public func establishments(scope: CIScope, now: Date, until: Date) async throws -> [StatusLine] {
        let roots = [CIClass.router, .coreSwitch, .firewall].map(\.rawValue)
        let rows = try await connection.query(
            """
            WITH shown AS (SELECT o.id, o.code, o.name FROM organizations o WHERE o.kind = 'establishment' AND \(establishmentVisibleTo: scope)),
            firing AS (
                SELECT c.establishment_id AS id, min(a.starts_at) FILTER (WHERE c.class = ANY(\(roots)::text[])) AS down,
                    min(a.starts_at) AS degraded
                FROM alerts a JOIN cis c ON c.id = a.ci_id WHERE a.status = 'firing' AND c.establishment_id IN (SELECT id FROM shown)
                GROUP BY c.establishment_id
            ),
            open AS (
                SELECT t.establishment_id AS id, array_agg(t.id ORDER BY t.id) AS incidents FROM tickets t
                WHERE t.origin = 'monitoring' AND t.status NOT IN ('resolved', 'closed') AND t.establishment_id IN (SELECT id FROM shown)
                GROUP BY t.establishment_id
            ),
            planned AS (
                SELECT coalesce(w.establishment_id, c.establishment_id) AS id, array_agg(w.id ORDER BY w.starts_at) AS windows
                FROM maintenance_windows w LEFT JOIN cis c ON c.id = w.ci_id
                WHERE w.cancelled_at IS NULL AND (w.ends_at IS NULL OR w.ends_at > \(now)) AND w.starts_at < \(until)
                  AND coalesce(w.establishment_id, c.establishment_id) IN (SELECT id FROM shown)
                GROUP BY 1
            )
            SELECT s.id, s.name, s.code, f.down, f.degraded, coalesce(i.incidents, '{}'), coalesce(p.windows, '{}')
            FROM shown s LEFT JOIN firing f ON f.id = s.id LEFT JOIN open i ON i.id = s.id LEFT JOIN planned p ON p.id = s.id
            ORDER BY f.down IS NULL, f.degraded IS NULL, s.name, s.id
            """,
            logger: logger
        )
        var lines: [StatusLine] = []
        for try await (id, name, code, down, degraded, incidents, windows) in rows.decode((Int64, String, String, Date?, Date?, [Int64], [Int64]).self) {
            lines.append(
                StatusLine(
                    kind: .establishment, id: id, name: name, code: code, downSince: down, degradedSince: degraded, incidentIDs: incidents,
                    maintenanceIDs: windows
                )
            )
        }
        return lines
    }

    /// The open monitoring incidents among `ids`, by id.
    public func incidents(_ ids: [Int64]) async throws -> [Int64: StatusIncident] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT id, ref, title, priority, status, created_at FROM tickets
            WHERE id = ANY(\(ids)) AND origin = 'monitoring' AND status NOT IN ('resolved', 'closed')
            """,
            logger: logger
        )
        var found: [Int64: StatusIncident] = [:]
        for try await (id, ref, title, priority, status, created) in rows.decode((Int64, String, String, Int16, String, Date).self) {
            guard let status = TicketStatus(rawValue: status) else { continue }
            found[id] = StatusIncident(id: id, ref: ref, title: title, priority: Int(priority), status: status, createdAt: created)
        }
        return found
    }
}

extension PostgresQuery.StringInterpolation {
    /// The establishments a reader's perimeter covers, for a query that names them `o`: every one
    /// for the staff, their own for a requester or correspondent, its perimeter's for a partner, and
    /// for a contractor's agent those of the tickets escalated to their teams.
    mutating func appendInterpolation(establishmentVisibleTo scope: CIScope) {
        let binds = scope.binds
        appendLiteral("(")
        appendInterpolation(binds.everyone)
        appendLiteral(" OR o.id = ")
        appendInterpolation(binds.establishment)
        appendLiteral(" OR o.id IN (SELECT pe.establishment_id FROM partner_establishments pe WHERE pe.partner_id = ")
        appendInterpolation(binds.partner)
        appendLiteral(") OR o.id IN (SELECT t.establishment_id FROM tickets t JOIN ticket_escalations te ON te.ticket_id = t.id")
        appendLiteral(" JOIN team_members tm ON tm.team_id = te.team_id WHERE tm.person_id = ")
        appendInterpolation(binds.contractor)
        appendLiteral("))")
    }
}
