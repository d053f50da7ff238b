import Foundation
import GuichetServices
import Hummingbird

/// `/auth/cas/login` and `/auth/cas/callback`: sign-in through the schools' digital workspace.
/// The login sends the browser to the CAS server with a random state, also kept in a cookie; the
/// callback checks that state (a ticket obtained by someone else cannot sign this browser in),
/// validates the ticket it brings back, sets the session cookie and returns to the page asked for
/// (a path of Guichet only).
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

    static let stateCookie = "guichet_cas_state"

    /// The callback address for a return to `next`, exactly as given to the CAS server twice.
    func service(next: String, state: String) -> String {
        "\(publicURL)/auth/cas/callback?next=\(CASService.encoded(next))&state=\(CASService.encoded(state))"
    }

    func stateCookie(_ value: String, maxAge: Int) throws -> Cookie {
        try Cookie.validated(name: Self.stateCookie, value: value, maxAge: maxAge, path: "/auth/cas", secure: secureCookies, httpOnly: true, sameSite: .lax)
    }

    @Sendable func login(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let cas = try configured()
        let next = ReturnPath.parse(request.uri.queryParameters.get("next")) ?? "/"
        let state = SessionToken.generate()
        var response = Response(status: .found, headers: [.location: cas.loginURL(service: service(next: next, state: state))])
        response.setCookie(try stateCookie(state, maxAge: 600))
        return response
    }

    @Sendable func callback(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let cas = try configured()
        let next = ReturnPath.parse(request.uri.queryParameters.get("next")) ?? "/"
        guard let ticket = request.uri.queryParameters.get("ticket") else {
            throw Problem.badRequest("The school workspace sent no ticket; sign in again from the start.", field: "ticket")
        }
        let state = request.uri.queryParameters.get("state") ?? ""
        guard let kept = request.cookies[Self.stateCookie]?.value, !state.isEmpty, SessionToken.matches(state, kept) else {
            throw Problem(
                type: "forbidden", title: "Forbidden", status: .forbidden,
                detail: "This sign-in was not started from this browser; start again from Guichet's sign-in page."
            )
        }
        let signedIn = try await cas.signIn(ticket: ticket, service: service(next: next, state: state), client: context.clientAddress, requestID: context.id)
        var response = Response(status: .seeOther, headers: [.location: next])
        response.setCookie(try stateCookie("", maxAge: 0))
        try response.setSessionCookie(signedIn, secure: secureCookies)
        return response
    }
}
