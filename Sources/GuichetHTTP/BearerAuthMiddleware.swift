import Foundation
import GuichetDomain
import GuichetStore
import Hummingbird

/// Authenticates API calls by `Authorization: Bearer <token>`; the token is looked up by its hash.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    let database: Database

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Problem.unauthorized
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard token.count <= 256,
            let principal = try await database.client.withConnection({ connection in
                try await DirectoryRepository(connection: connection, logger: context.logger).principal(tokenHash: APIToken.hash(token))
            })
        else { throw Problem.unauthorized }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "person"] = "\(principal.personID)"
        return try await next(request, context)
    }
}
