import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// What a dashboard is asked for: a period of months and filters.
public struct DashboardFilter: Sendable, Equatable {
    public var from: Date
    public var until: Date
    public var departmentCode: String?
    public var establishmentType: String?
    public var serviceID: Int64?

    public init(from: Date, until: Date, departmentCode: String? = nil, establishmentType: String? = nil, serviceID: Int64? = nil) {
        self.from = from
        self.until = until
        self.departmentCode = departmentCode
        self.establishmentType = establishmentType
        self.serviceID = serviceID
    }
}

/// Every table of a dashboard, computed within the viewer's perimeter.
public struct Dashboard: Sendable {
    public var monthly: [DashboardRow]
    public var backlog: [DashboardRow]
    public var compliance: [DashboardRow]
    public var resolutions: Resolutions
    public var topEstablishments: [DashboardRow]
    public var topServices: [DashboardRow]
    /// When the monthly figures were last brought up to date (the backlog is live).
    public var refreshedAt: Date?
}

/// The tickets resolved in a period: how, and how long it took from opening.
public struct Resolutions: Sendable, Equatable {
    public var remote: Double
    public var onSite: Double
    public var resolved: Double
    public var meanHours: Double?
    /// Read from the histogram of resolution times, within the width of its bucket.
    public var medianHours: Double?
}

/// The indicators of the service: staff see all establishments, a partner's viewers those of its
/// perimeter only (the perimeter is applied in the SQL, before any filter the viewer chose).
public struct DashboardService: Sendable {
    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Brings the monthly rollups up to date; returns how many months were recomputed.
    public func refresh() async throws -> Int {
        try await database.client.withConnection { try await DashboardRepository(connection: $0, logger: logger).refresh() }
    }

    public static func maySee(_ principal: Principal) -> Bool { principal.isStaff || principal.roles.contains(.partner) }

    public func dashboard(_ filter: DashboardFilter, for principal: Principal) async throws -> Dashboard {
        guard Self.maySee(principal) else { throw ServiceError.forbidden("Dashboards are for the service centre and its partners.") }
        guard filter.from < filter.until else { throw ServiceError.invalid("from", "The period must end after it starts.") }
        return try await database.transaction { connection in
            let store = DashboardRepository(connection: connection, logger: logger)
            let partner = principal.roles.contains(.partner) ? principal.organizationID : nil
            let establishments = try await store.establishments(
                partnerID: partner, departmentCode: filter.departmentCode, establishmentType: filter.establishmentType
            )
            let selection = DashboardSelection(from: filter.from, until: filter.until, establishmentIDs: establishments, serviceID: filter.serviceID)
            let sums = try await store.resolutions(selection)
            let resolutions = Resolutions(
                remote: sums.remote, onSite: sums.onSite, resolved: sums.resolved, meanHours: sums.resolved > 0 ? sums.hours / sums.resolved : nil,
                medianHours: BucketedMedian.median(counts: sums.buckets, upperBounds: sums.bounds)
            )
            return Dashboard(
                monthly: Self.everyMonth(of: filter, filling: try await store.monthly(selection)), backlog: try await store.backlog(selection),
                compliance: try await store.compliance(selection), resolutions: resolutions,
                topEstablishments: try await store.topEstablishments(selection), topServices: try await store.topServices(selection),
                refreshedAt: try await store.refreshedAt()
            )
        }
    }

    /// One row per month of the period (`YYYY-MM`, Paris time), zeros where nothing happened, so that
    /// a chart's gaps are months without tickets rather than missing months.
    static func everyMonth(of filter: DashboardFilter, filling rows: [DashboardRow]) -> [DashboardRow] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris") ?? .current
        let known = Dictionary(rows.map { ($0.label, $0) }, uniquingKeysWith: { first, _ in first })
        var months: [DashboardRow] = []
        var month = calendar.date(from: calendar.dateComponents([.year, .month], from: filter.from)) ?? filter.from
        while month < filter.until, months.count < 240 {
            let parts = calendar.dateComponents([.year, .month], from: month)
            let label = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
            months.append(known[label] ?? DashboardRow(label: label, values: [0, 0]))
            month = calendar.date(byAdding: .month, value: 1, to: month) ?? filter.until
        }
        return months
    }
}
