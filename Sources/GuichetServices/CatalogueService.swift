import GuichetStore
import Logging

/// The service catalogue as the portal offers it.
public struct CatalogueService: Sendable {
    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Every service, grouped by family in catalogue order.
    public func families() async throws -> [(family: String, services: [ServiceRecord])] {
        let services = try await database.client.withConnection { try await CatalogueRepository(connection: $0, logger: logger).services() }
        var families: [(family: String, services: [ServiceRecord])] = []
        for service in services {
            if families.last?.family == service.family {
                families[families.count - 1].services.append(service)
            } else {
                families.append((service.family, [service]))
            }
        }
        return families
    }

    /// A service requesters may ask for; `nil` for an unknown one or one outside the perimeter.
    public func requestable(id: Int64) async throws -> ServiceRecord? {
        let service = try await database.client.withConnection { try await CatalogueRepository(connection: $0, logger: logger).service(id: id) }
        return service?.inPerimeter == true ? service : nil
    }
}
