import Foundation
import GuichetServices
import Hummingbird

/// `/api/v1/session`: signing in with a login and password sets the session cookie (HttpOnly,
/// SameSite=Lax, Secure when Guichet is served over TLS); the answer carries the CSRF token that
/// state-changing requests of the session send back in `X-CSRF-Token`.
struct SessionController {
    let sessions: SessionService
    /// Whether users reach Guichet over https (cookies are then Secure).
    let secureCookies: Bool

    struct SignIn: Decodable {
        let login: String?
        let password: String?
    }

    struct Current: Encodable {
        let personId: Int64
        let roles: [String]
        let csrfToken: String?
        let expiresAt: Date?
    }

    func register(in table: RouteTable, publicGroup: RouterGroup<GuichetRequestContext>, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.post, "/session", in: publicGroup, prefix: prefix, handler: signIn)
        table.add(.get, "/session", in: group, prefix: prefix, handler: current)
        table.add(.delete, "/session", in: group, prefix: prefix, handler: signOut)
    }

    @Sendable func signIn(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(SignIn.self, from: request, context: context)
        let signedIn = try await sessions.signIn(
            login: body.login ?? "", password: body.password ?? "", client: context.clientAddress, requestID: context.id
        )
        var response = try TicketsController.json(
            Current(
                personId: signedIn.principal.personID, roles: signedIn.principal.roles.map(\.rawValue).sorted(), csrfToken: signedIn.csrfToken,
                expiresAt: signedIn.expiresAt
            ),
            status: .created
        )
        try response.setSessionCookie(signedIn, secure: secureCookies)
        return response
    }

    @Sendable func current(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try TicketsController.json(
            Current(
                personId: principal.personID, roles: principal.roles.map(\.rawValue).sorted(), csrfToken: context.session?.csrfToken,
                expiresAt: context.session?.expiresAt
            )
        )
    }

    @Sendable func signOut(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        guard let session = context.session else {
            throw Problem.badRequest("Only a browser session signs out; revoke an API token instead.")
        }
        try await sessions.signOut(session, requestID: context.id, client: context.clientAddress)
        var response = Response(status: .noContent)
        try response.setSessionCookie(nil, secure: secureCookies)
        return response
    }
}
