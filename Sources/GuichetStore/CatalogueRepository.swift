import Logging
import PostgresNIO

/// The service catalogue: families, services, subcategories.
public struct CatalogueRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Every service, by family then name.
    public func services() async throws -> [ServiceRecord] {
        try await services("SELECT \(unescaped: Self.columns) FROM services ORDER BY family, name, subcategory NULLS FIRST, id")
    }

    public func service(id: Int64) async throws -> ServiceRecord? {
        try await services("SELECT \(unescaped: Self.columns) FROM services WHERE id = \(id)").first
    }

    public func service(code: String) async throws -> ServiceRecord? {
        try await services("SELECT \(unescaped: Self.columns) FROM services WHERE code = \(code)").first
    }

    static let columns = "id, code, family, name, subcategory, in_perimeter"

    private func services(_ query: PostgresQuery) async throws -> [ServiceRecord] {
        let rows = try await connection.query(query, logger: logger)
        var services: [ServiceRecord] = []
        for try await (id, code, family, name, subcategory, inPerimeter) in rows.decode((Int64, String, String, String, String?, Bool).self) {
            services.append(ServiceRecord(id: id, code: code, family: family, name: name, subcategory: subcategory, inPerimeter: inPerimeter))
        }
        return services
    }
}
