import Foundation
import GuichetServices
import Hummingbird

extension WebController {
    func registerSignIn(on web: RouterGroup<GuichetRequestContext>) {
        web.get("/login", use: signInPage)
        web.post("/login", use: signIn)
        web.post("/logout", use: signOut)
        web.get("/language", use: switchLanguage)
    }

    @Sendable func signInPage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        guard var visitor = context.visitor else { throw WebError.forbiddenForm }
        if let principal = visitor.principal { return Self.redirect(Self.home(of: principal)) }
        let next = ReturnPath.parse(request.uri.queryParameters.get("next")) ?? ""
        return signInForm(visitor: &visitor, login: "", next: next, errors: [], status: .ok)
    }

    @Sendable func signIn(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        guard var visitor = context.visitor, let form = context.form else { throw WebError.forbiddenForm }
        let login = form["login"] ?? ""
        let next = ReturnPath.parse(form["next"])
        do {
            let signedIn = try await sessions.signIn(login: login, password: form["password"] ?? "", client: context.clientAddress, requestID: context.id)
            var response = Self.redirect(next ?? Self.home(of: signedIn.principal))
            try response.setSessionCookie(signedIn, secure: secureCookies)
            return response
        } catch let error as ServiceError {
            let message = WebFormat.describe(error, in: visitor.language)
            let status: HTTPResponse.Status = if case .tooManyAttempts = error { .tooManyRequests } else { .unauthorized }
            return signInForm(visitor: &visitor, login: login, next: next ?? "", errors: [["field": "login", "message": message]], status: status)
        }
    }

    /// The sign-in form, with a fresh form token in its cookie when the visitor has none yet.
    private func signInForm(visitor: inout WebVisitor, login: String, next: String, errors: [[String: String]], status: HTTPResponse.Status) -> Response {
        var token: String?
        if visitor.csrfToken == nil {
            token = SessionToken.generate()
            visitor.csrfToken = token
        }
        var response = renderer.page(
            "login", title: visitor.language.word("sign_in_title"),
            data: [
                "login": login, "next": next, "nextEncoded": next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "", "errors": errors,
                "loginInvalid": !errors.isEmpty, "cas": casEnabled,
            ],
            visitor: visitor, status: status
        )
        if let token, let cookie = try? Cookie.validated(
            name: WebSessionMiddleware.formCookie, value: token, maxAge: 3600, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict
        ) {
            response.setCookie(cookie)
        }
        return response
    }

    @Sendable func signOut(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        if let session = context.session { try await sessions.signOut(session, requestID: context.id, client: context.clientAddress) }
        var response = Self.redirect("/login")
        try response.setSessionCookie(nil, secure: secureCookies)
        return response
    }

    /// Sets the language cookie and goes back to the page the visitor was on.
    @Sendable func switchLanguage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let language = request.uri.queryParameters.get("to").flatMap(WebLanguage.init(rawValue:)) ?? .fr
        var response = Self.redirect(ReturnPath.parse(request.uri.queryParameters.get("back")) ?? "/")
        response.setCookie(
            try Cookie.validated(
                name: WebLanguage.cookie, value: language.rawValue, maxAge: 365 * 86_400, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax
            )
        )
        return response
    }
}
