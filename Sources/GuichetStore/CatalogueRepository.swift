import Logging
import PostgresNIO

/// The service catalogue as the portal shows it: families, services, subcategories.
public struct CatalogueRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Every service, by family then name.
    public func services() async throws -> [ServiceRecord] {
        let rows = try await connection.query(
            "SELECT id, code, family, name, subcategory, in_perimeter FROM services ORDER BY family, name, subcategory NULLS FIRST, id",
            logger: logger
        )
        var services: [ServiceRecord] = []
        for try await (id, code, family, name, subcategory, inPerimeter) in rows.decode((Int64, String, String, String, String?, Bool).self) {
            services.append(ServiceRecord(id: id, code: code, family: family, name: name, subcategory: subcategory, inPerimeter: inPerimeter))
        }
        return services
    }

    public func service(id: Int64) async throws -> ServiceRecord? {
        let rows = try await connection.query(
            "SELECT id, code, family, name, subcategory, in_perimeter FROM services WHERE id = \(id)",
            logger: logger
        )
        for try await (id, code, family, name, subcategory, inPerimeter) in rows.decode((Int64, String, String, String, String?, Bool).self) {
            return ServiceRecord(id: id, code: code, family: family, name: name, subcategory: subcategory, inPerimeter: inPerimeter)
        }
        return nil
    }
}
