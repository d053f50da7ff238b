import Hummingbird

/// A path of the API asked with a method it does not take answers 405 with `Allow`, as HTTP says,
/// instead of the router's 404 (which would say the resource does not exist).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    let known: KnownRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = known.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            var problem = Problem(
                type: "method-not-allowed", title: "Method not allowed", status: .methodNotAllowed,
                detail: "\(request.uri.path) answers \(allowed.joined(separator: ", ")), not \(request.method.rawValue)."
            )
            problem.allow = allowed
            throw problem
        }
    }
}
