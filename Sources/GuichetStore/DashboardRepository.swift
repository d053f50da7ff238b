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

    public init(label: String, values: [Double]) {
        self.label = label
        self.values = values
    }
}

/// The dashboards' SQL: sums over the monthly rollups (migration 0020), and the live backlog.
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
                SELECT r.month, sum(r.opened) AS n FROM dashboard_opened r
                WHERE r.month >= (\(selection.from) AT TIME ZONE 'Europe/Paris')::date AND r.month < (\(selection.until) AT TIME ZONE 'Europe/Paris')::date
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR r.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR r.service_id = \(selection.serviceID))
                GROUP BY 1
            ), resolved AS (
                SELECT r.month, sum(r.resolved) AS n FROM dashboard_resolved r
                WHERE r.month >= (\(selection.from) AT TIME ZONE 'Europe/Paris')::date AND r.month < (\(selection.until) AT TIME ZONE 'Europe/Paris')::date
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR r.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR r.service_id = \(selection.serviceID))
                GROUP BY 1
            )
            SELECT to_char(coalesce(o.month, s.month), 'YYYY-MM'), coalesce(o.n, 0)::float8, coalesce(s.n, 0)::float8
            FROM opened o FULL JOIN resolved s ON s.month = o.month ORDER BY 1
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
              AND (\(selection.serviceID)::bigint IS NULL OR coalesce(t.service_id, 0) = \(selection.serviceID))
            GROUP BY t.priority, tm.name ORDER BY t.priority, tm.name
            """
        )
    }

    /// Per clock (tto, ttr) of the tickets opened in the period: targets met, and missed.
    public func compliance(_ selection: DashboardSelection) async throws -> [DashboardRow] {
        let sums = try await rows(
            """
            SELECT 'all', coalesce(sum(r.tto_met), 0)::float8, coalesce(sum(r.tto_missed), 0)::float8, coalesce(sum(r.ttr_met), 0)::float8,
                   coalesce(sum(r.ttr_missed), 0)::float8
            FROM dashboard_opened r
            WHERE r.month >= (\(selection.from) AT TIME ZONE 'Europe/Paris')::date AND r.month < (\(selection.until) AT TIME ZONE 'Europe/Paris')::date
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR r.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR r.service_id = \(selection.serviceID))
            """
        )
        guard let values = sums.first?.values else { return [] }
        return [DashboardRow(label: "tto", values: Array(values[0...1])), DashboardRow(label: "ttr", values: Array(values[2...3]))]
    }

    /// Resolutions of the period: per mode, and in all with the total hours and the histogram of
    /// resolution times, with the upper bounds (hours) of its buckets.
    public func resolutions(
        _ selection: DashboardSelection
    ) async throws -> (remote: Double, onSite: Double, resolved: Double, hours: Double, buckets: [Int], bounds: [Double]) {
        let result = try await connection.query(
            """
            WITH picked AS (
                SELECT r.* FROM dashboard_resolved r
                WHERE r.month >= (\(selection.from) AT TIME ZONE 'Europe/Paris')::date AND r.month < (\(selection.until) AT TIME ZONE 'Europe/Paris')::date
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR r.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR r.service_id = \(selection.serviceID))
            )
            SELECT coalesce(sum(remote), 0)::float8, coalesce(sum(on_site), 0)::float8, coalesce(sum(resolved), 0)::float8, coalesce(sum(hours), 0)::float8,
                   coalesce((SELECT array_agg(n ORDER BY i) FROM (SELECT b.i, sum(b.n)::integer AS n FROM picked, unnest(picked.buckets) WITH ORDINALITY AS b (n, i)
                                                                  GROUP BY b.i) x), '{}'),
                   dashboard_buckets()
            FROM picked
            """,
            logger: logger
        )
        for try await (remote, onSite, resolved, hours, buckets, bounds) in result.decode((Double, Double, Double, Double, [Int], [Double]).self) {
            return (remote, onSite, resolved, hours, buckets, bounds)
        }
        return (0, 0, 0, 0, [], [])
    }

    /// When the rollups were last brought up to date.
    public func refreshedAt() async throws -> Date? {
        let result = try await connection.query("SELECT refreshed_at FROM dashboard_refresh", logger: logger)
        for try await at in result.decode(Date?.self) { return at }
        return nil
    }

    /// Brings the rollups up to date (the periodic job); returns how many months were recomputed.
    public func refresh() async throws -> Int {
        let result = try await connection.query("SELECT refresh_dashboards()", logger: logger)
        for try await months in result.decode(Int.self) { return months }
        return 0
    }

    /// The establishments that opened the most tickets in the period.
    public func topEstablishments(_ selection: DashboardSelection, limit: Int = 10) async throws -> [DashboardRow] {
        try await rows(
            """
            SELECT o.name || ' (' || o.code || ')', n::float8 FROM (
                SELECT r.establishment_id, sum(r.opened) AS n FROM dashboard_opened r
                WHERE r.month >= (\(selection.from) AT TIME ZONE 'Europe/Paris')::date AND r.month < (\(selection.until) AT TIME ZONE 'Europe/Paris')::date
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR r.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR r.service_id = \(selection.serviceID))
                GROUP BY r.establishment_id ORDER BY n DESC, r.establishment_id LIMIT \(limit)
            ) top JOIN organizations o ON o.id = top.establishment_id ORDER BY n DESC, o.name
            """
        )
    }

    /// The services asked for the most in the period.
    public func topServices(_ selection: DashboardSelection, limit: Int = 10) async throws -> [DashboardRow] {
        try await rows(
            """
            SELECT coalesce(s.name, '—'), n::float8 FROM (
                SELECT r.service_id, sum(r.opened) AS n FROM dashboard_opened r
                WHERE r.month >= (\(selection.from) AT TIME ZONE 'Europe/Paris')::date AND r.month < (\(selection.until) AT TIME ZONE 'Europe/Paris')::date
                  AND (\(selection.establishmentIDs)::bigint[] IS NULL OR r.establishment_id = ANY(\(selection.establishmentIDs)))
                  AND (\(selection.serviceID)::bigint IS NULL OR r.service_id = \(selection.serviceID))
                GROUP BY r.service_id ORDER BY n DESC, r.service_id LIMIT \(limit)
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
