import Foundation
import GuichetServices
import Hummingbird

/// `/auth/cas/login` and `/auth/cas/callback`: sign-in through the schools' digital workspace.
/// The login sends the browser to the CAS server; the callback validates the ticket it brings
/// back, sets the session cookie and returns to the page asked for (a path of Guichet only).
struct CASController {
    let cas: CASService?
    /// Where users reach Guichet: the service address the CAS server sends them back to.
    let publicURL: String
    let secureCookies: Bool

    func register(in table: RouteTable) {
        table.add(.get, "/auth/cas/login", handler: login)
        table.add(.get, "/auth/cas/callback", handler: callback)
    }

    func configured() throws -> CASService {
        guard let cas else { throw Problem.notFound("Sign-in through the school workspace is not configured on this Guichet.") }
        return cas
    }

    /// The callback address for a return to `next`, exactly as given to the CAS server twice.
    func service(next: String) -> String {
        "\(publicURL)/auth/cas/callback?next=\(CASService.encoded(next))"
    }

    /// Only a path of Guichet itself: never another site (an open redirect).
    static func safeNext(_ value: String?) -> String {
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\"), value.count <= 500 else { return "/" }
        return value
    }

    @Sendable func login(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let cas = try configured()
        let next = Self.safeNext(request.uri.queryParameters.get("next"))
        return Response(status: .found, headers: [.location: cas.loginURL(service: service(next: next))])
    }

    @Sendable func callback(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let cas = try configured()
        let next = Self.safeNext(request.uri.queryParameters.get("next"))
        guard let ticket = request.uri.queryParameters.get("ticket") else {
            throw Problem.badRequest("The school workspace sent no ticket; sign in again from the start.", field: "ticket")
        }
        let signedIn = try await cas.signIn(ticket: ticket, service: service(next: next), client: context.clientAddress, requestID: context.id)
        var response = Response(status: .seeOther, headers: [.location: next])
        response.setCookie(
            try Cookie.validated(
                name: AuthMiddleware.sessionCookie, value: signedIn.token, maxAge: Int(signedIn.expiresAt.timeIntervalSinceNow), path: "/",
                secure: secureCookies, httpOnly: true, sameSite: .lax
            )
        )
        return response
    }
}
