import GuichetServices
import Hummingbird

/// Records in the audit log every request refused with 403, with who asked what: a caller probing
/// for more than their role allows shows up there.
struct DeniedAccessAuditMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    let audit: AuditService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let problem = Problem.from(error), problem.status == .forbidden {
                await audit.recordDenied(
                    actorID: context.principal?.personID, detail: "\(request.method) \(request.uri.path): \(problem.detail ?? problem.title)",
                    requestID: context.id, client: context.clientAddress
                )
            }
            throw error
        }
    }
}
