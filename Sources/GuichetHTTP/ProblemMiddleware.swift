import Foundation
import Hummingbird
import Logging

/// Turns every error into problem+json. Unknown errors become a bare 500 whose details go to the
/// log only, under the request id the caller can quote.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let problem = Problem.from(error) {
                return try problem.response(from: request, context: context)
            }
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            let problem = Problem(
                type: "internal", title: "Internal error", status: .internalServerError,
                detail: "Something went wrong on our side; quote request id \(context.id) to the service centre."
            )
            return try problem.response(from: request, context: context)
        }
    }
}
