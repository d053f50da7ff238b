import Foundation
import GuichetDomain
import Hummingbird
import HummingbirdCore

/// Refuses a request whose path or query parameters hold a control character (`TextInput`), before
/// any route reads them: one check for every route, API and web pages alike. Bodies are checked
/// where they are read (`JSONBody`, `WebForm`), mail where it is parsed.
struct InputGuardMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let field = Self.fieldWithControlCharacter(request.uri) {
            throw Problem.badRequest(TextInput.refusal, field: field)
        }
        return try await next(request, context)
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
