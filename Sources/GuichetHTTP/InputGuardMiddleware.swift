import Foundation
import GuichetDomain
import Hummingbird
import HummingbirdCore

/// Refuses a request whose path or query parameters hold a control character (`TextInput`), before
/// any route reads them: one check for every route, API and web pages alike (problem+json for the
/// API, a page in the visitor's language for the web). Bodies are checked where they are read
/// (`JSONBody`, `WebForm`), mail where it is parsed.
struct InputGuardMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    let webErrors: WebErrorMiddleware

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let field = Self.fieldWithControlCharacter(request.uri) else { return try await next(request, context) }
        if request.uri.path.hasPrefix("/api/") || request.uri.path.hasPrefix("/auth/") {
            throw Problem.badRequest(TextInput.refusal, field: field)
        }
        return webErrors.page(for: .controlCharacter(field: field), request: request, context: context)
    }

    /// `path` or the name of the first query parameter that holds a forbidden character.
    static func fieldWithControlCharacter(_ uri: HummingbirdCore.URI) -> String? {
        if !TextInput.isClean(uri.path.removingPercentEncoding ?? uri.path) { return "path" }
        for (name, value) in uri.queryParameters where !TextInput.isClean(name) || !TextInput.isClean(value) {
            return TextInput.isClean(name) ? String(name) : "query"
        }
        return nil
    }
}
