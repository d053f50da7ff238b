import Foundation
import GuichetServices
import GuichetDomain
import Hummingbird

/// Sets who is looking at a web page from the session cookie, and guards every form post: the
/// form is read here, and its `csrf` field must be the session's token (or, before sign-in, the
/// token of the form cookie the sign-in page set: a double submit another site cannot forge).
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    /// The cookie that carries the sign-in form's token, before there is a session.
    static let formCookie = "guichet_form"

    let sessions: SessionService
    let audit: AuditService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        var session: BrowserSession?
        if let token = request.cookies[AuthMiddleware.sessionCookie]?.value { session = try await sessions.session(token: token) }
        if var principal = session?.principal {
            principal.requestID = context.id
            context.principal = principal
            context.session = session
            context.logger[metadataKey: "person"] = "\(principal.personID)"
        }
        context.visitor = WebVisitor(
            language: WebLanguage.of(request, personLocale: session?.locale), principal: context.principal, name: session?.personName,
            csrfToken: session?.csrfToken ?? request.cookies[Self.formCookie]?.value, path: request.uri.path
        )
        if request.method == .post {
            let form = try await WebForm.read(&request, context: context)
            let expected = session?.csrfToken ?? request.cookies[Self.formCookie]?.value ?? ""
            guard !expected.isEmpty, SessionToken.matches(form["csrf"] ?? "", expected) else {
                await audit.recordDenied(
                    actorID: context.principal?.personID, detail: "POST \(request.uri.path): missing or wrong form token", requestID: context.id,
                    client: context.clientAddress
                )
                throw WebError.forbiddenForm
            }
            context.form = form
        }
        return try await next(request, context)
    }
}
