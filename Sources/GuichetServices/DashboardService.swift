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
    public var resolutions: [DashboardRow]
    public var topEstablishments: [DashboardRow]
    public var topServices: [DashboardRow]
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
            return Dashboard(
                monthly: try await store.monthly(selection), backlog: try await store.backlog(selection),
                compliance: try await store.compliance(selection), resolutions: try await store.resolutions(selection),
                topEstablishments: try await store.topEstablishments(selection), topServices: try await store.topServices(selection)
            )
        }
    }
}
