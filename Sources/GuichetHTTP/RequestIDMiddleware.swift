import HTTPTypes
import Hummingbird

/// Echoes the request id in `X-Request-Id`, so that a caller can quote it and an operator find it in the logs.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        return response
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let idempotencyKey = Self("Idempotency-Key")!
}
