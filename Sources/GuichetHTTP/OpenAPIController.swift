import Foundation
import Hummingbird

/// Serves the committed OpenAPI document: the contract of API v1.
struct OpenAPIController {
    static let document: Data? = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources")
        .flatMap { try? Data(contentsOf: $0) }

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.get, "/openapi.json", in: group, prefix: prefix) { _, _ in
            guard let document = Self.document else { throw HTTPError(.notFound) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
