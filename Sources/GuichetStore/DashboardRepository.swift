import Foundation
import Logging
import PostgresNIO

/// Which tickets a dashboard counts: a period of creation, the establishments of a perimeter and
/// filters, a service.
public struct DashboardSelection: Sendable, Equatable {
    public var from: Date
    public var until: Date
    /// `nil`: every establishment (staff without filters); otherwise only these.
    public var establishmentIDs: [Int64]?
    public var serviceID: Int64?

    public init(from: Date, until: Date, establishmentIDs: [Int64]?, serviceID: Int64?) {
        self.from = from
        self.until = until
        self.establishmentIDs = establishmentIDs
        self.serviceID = serviceID
    }
}

/// A label and its counts, one row of a dashboard table.
public struct DashboardRow: Sendable, Equatable {
    public var label: String
    public var values: [Double]
}

/// The dashboards' SQL: aggregates over indexed columns of the tickets, one query per table.
public struct DashboardRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The establishments of a partner's perimeter (all with `partnerID` nil) narrowed by
    /// département and type; `nil` when nothing narrows them.
    public func establishments(partnerID: Int64?, departmentCode: String?, establishmentType: String?) async throws -> [Int64]? {
        guard partnerID != nil || departmentCode != nil || establishmentType != nil else { return nil }
        let rows = try await connection.query(
            """
            SELECT o.id FROM organizations o
            WHERE o.kind = 'establishment'
              AND (\(partnerID)::bigint IS NULL OR o.id IN (SELECT pe.establishment_id FROM partner_establishments pe WHERE pe.partner_id = \(partnerID)))
              AND (\(departmentCode)::text IS NULL OR o.department_code = \(departmentCode))
              AND (\(establishmentType)::text IS NULL OR o.establishment_type = \(establishmentType))
            """,
            logger: logger
        )
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// Tickets opened and resolved per month of the period (months in Paris time).
    public func monthly(_ selection: DashboardSelection) async throws -> [DashboardRow] {
        try await rows(
            """
            WITH opened AS (
                SELECT date_trunc('month', t.created_at AT TIME ZONE 'Europe/Paris') AS month, count(*) AS n FROM tickets t
                WHERE t.created_at >= \(selection.from) AND t.created_at < \(selection.until)
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR t.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR t.service_id = \(selection.serviceID))
                GROUP BY 1
            ), resolved AS (
                SELECT date_trunc('month', t.resolved_at AT TIME ZONE 'Europe/Paris') AS month, count(*) AS n FROM tickets t
                WHERE t.resolved_at >= \(selection.from) AND t.resolved_at < \(selection.until)
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR t.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR t.service_id = \(selection.serviceID))
                GROUP BY 1
            )
            SELECT to_char(coalesce(o.month, r.month), 'YYYY-MM'), coalesce(o.n, 0)::float8, coalesce(r.n, 0)::float8
            FROM opened o FULL JOIN resolved r ON r.month = o.month ORDER BY 1
            """
        )
    }

    /// Open tickets now, by priority and team (the backlog does not depend on the period).
    public func backlog(_ selection: DashboardSelection) async throws -> [DashboardRow] {
        try await rows(
            """
            SELECT 'P' || t.priority || ' · ' || coalesce(tm.name, '—'), count(*)::float8 FROM tickets t LEFT JOIN teams tm ON tm.id = t.team_id
            WHERE t.status NOT IN ('resolved', 'closed')
              AND (\(selection.establishmentIDs)::bigint[] IS NULL OR t.establishment_id = ANY(\(selection.establishmentIDs)))
              AND (\(selection.serviceID)::bigint IS NULL OR t.service_id = \(selection.serviceID))
            GROUP BY t.priority, tm.name ORDER BY t.priority, tm.name
            """
        )
    }

    /// Per clock (tto, ttr): stopped within target, stopped late or breached, still running.
    public func compliance(_ selection: DashboardSelection) async throws -> [DashboardRow] {
        try await rows(
            """
            SELECT c.metric,
                   count(*) FILTER (WHERE c.stopped_at IS NOT NULL AND c.breached_at IS NULL AND c.consumed_seconds <= c.target_seconds)::float8,
                   count(*) FILTER (WHERE c.breached_at IS NOT NULL OR c.consumed_seconds > c.target_seconds)::float8,
                   count(*) FILTER (WHERE c.stopped_at IS NULL AND c.breached_at IS NULL)::float8
            FROM tickets t JOIN ticket_sla_clocks c ON c.ticket_id = t.id
            WHERE t.created_at >= \(selection.from) AND t.created_at < \(selection.until)
              AND (\(selection.establishmentIDs)::bigint[] IS NULL OR t.establishment_id = ANY(\(selection.establishmentIDs)))
              AND (\(selection.serviceID)::bigint IS NULL OR t.service_id = \(selection.serviceID))
            GROUP BY c.metric ORDER BY c.metric
            """
        )
    }

    /// Resolutions of the period by mode, with mean and median hours from opening to resolution.
    public func resolutions(_ selection: DashboardSelection) async throws -> [DashboardRow] {
        try await rows(
            """
            SELECT CASE WHEN grouping(t.resolution_mode) = 1 THEN 'total' ELSE coalesce(t.resolution_mode, 'none') END, count(*)::float8,
                   coalesce(avg(extract(epoch FROM t.resolved_at - t.created_at)) / 3600, 0)::float8,
                   coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.resolved_at - t.created_at)) / 3600, 0)::float8
            FROM tickets t
            WHERE t.resolved_at >= \(selection.from) AND t.resolved_at < \(selection.until)
              AND (\(selection.establishmentIDs)::bigint[] IS NULL OR t.establishment_id = ANY(\(selection.establishmentIDs)))
              AND (\(selection.serviceID)::bigint IS NULL OR t.service_id = \(selection.serviceID))
            GROUP BY ROLLUP (t.resolution_mode) ORDER BY grouping(t.resolution_mode), 1
            """
        )
    }

    /// The establishments that opened the most tickets in the period.
    public func topEstablishments(_ selection: DashboardSelection, limit: Int = 10) async throws -> [DashboardRow] {
        try await rows(
            """
            SELECT o.name || ' (' || o.code || ')', n::float8 FROM (
                SELECT t.establishment_id, count(*) AS n FROM tickets t
                WHERE t.created_at >= \(selection.from) AND t.created_at < \(selection.until)
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR t.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR t.service_id = \(selection.serviceID))
                GROUP BY t.establishment_id ORDER BY n DESC, t.establishment_id LIMIT \(limit)
            ) top JOIN organizations o ON o.id = top.establishment_id ORDER BY n DESC, o.name
            """
        )
    }

    /// The services asked for the most in the period.
    public func topServices(_ selection: DashboardSelection, limit: Int = 10) async throws -> [DashboardRow] {
        try await rows(
            """
            SELECT coalesce(s.name, '—'), n::float8 FROM (
                SELECT t.service_id, count(*) AS n FROM tickets t
                WHERE t.created_at >= \(selection.from) AND t.created_at < \(selection.until)
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR t.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR t.service_id = \(selection.serviceID))
                GROUP BY t.service_id ORDER BY n DESC LIMIT \(limit)
            ) top LEFT JOIN services s ON s.id = top.service_id ORDER BY n DESC, 1
            """
        )
    }

    /// Rows whose first column is a label and the others numbers.
    private func rows(_ query: PostgresQuery) async throws -> [DashboardRow] {
        let result = try await connection.query(query, logger: logger)
        var rows: [DashboardRow] = []
        for try await row in result {
            let cells = row.makeRandomAccess()
            var values: [Double] = []
            for index in 1..<cells.count { values.append(try cells[index].decode(Double.self)) }
            rows.append(DashboardRow(label: try cells[0].decode(String.self), values: values))
        }
        return rows
    }
}
