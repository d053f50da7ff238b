import Foundation
import Hummingbird
import Logging
import NIOHTTP1

/// Turns every error into problem+json. Unknown errors become a bare 500 whose details go to the
/// log only, under the request id the caller can quote.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPParserError {
            // the request's framing is broken: the framing guard answers 400 and closes the connection
            throw error
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
