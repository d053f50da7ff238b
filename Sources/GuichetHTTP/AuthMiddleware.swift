import Foundation
import GuichetDomain
import GuichetServices
import HTTPTypes
import Hummingbird

/// Authenticates API calls by `Authorization: Bearer <token>` (looked up by its hash; a token
/// scoped `read` only reads) or by the session cookie of a signed-in browser, whose state-changing
/// requests must carry the session's CSRF token in `X-CSRF-Token`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    static let sessionCookie = "guichet_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    let audit: AuditService
    let sessions: SessionService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var principal: Principal
        let writes = request.method != .get && request.method != .head
        if let header = request.headers[.authorization] {
            principal = try await bearer(header, request: request, context: context)
            let intake = Self.intake(of: request.uri.path)
            if let intake, principal.scopes.contains(intake) {
                // an intake token reaches its own routes, whatever else it may do
            } else if principal.scopes.allSatisfy(\.isIntake) {
                try await refuse("this token only hands over data (\(principal.scopes.map(\.rawValue).sorted().joined(separator: ", ")))", principal: principal, request: request, context: context)
            } else if writes && !principal.scopes.contains(.write) {
                try await refuse("read-only token", principal: principal, request: request, context: context)
            }
        } else if let token = request.cookies[Self.sessionCookie]?.value, let session = try await sessions.session(token: token) {
            if writes && !SessionToken.matches(request.headers[Self.csrfHeader] ?? "", session.csrfToken) {
                try await refuse("missing or wrong CSRF token", principal: session.principal, request: request, context: context)
            }
            principal = session.principal
            context.session = session
        } else {
            throw Problem.unauthorized
        }
        principal.requestID = context.id
        context.principal = principal
        context.logger[metadataKey: "person"] = "\(principal.personID)"
        return try await next(request, context)
    }

    /// The intake scope whose routes `path` is: inventories for `/api/v1/cis/imports`, alerts for
    /// `/api/v1/alerts`.
    static func intake(of path: String) -> TokenScope? {
        if path == "/api/v1/cis/imports" || path.hasPrefix("/api/v1/cis/imports/") { return .inventory }
        if path == "/api/v1/alerts" || path.hasPrefix("/api/v1/alerts/") { return .alerts }
        return nil
    }

    private func bearer(_ header: String, request: Request, context: Context) async throws -> Principal {
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else { throw Problem.unauthorized }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let principal = try await sessions.principal(apiToken: token) else {
            await audit.recordRefusedToken(request: "\(request.method) \(request.uri.path)", requestID: context.id, client: context.clientAddress)
            throw Problem.unauthorized
        }
        return principal
    }

    private func refuse(_ why: String, principal: Principal, request: Request, context: Context) async throws -> Never {
        await audit.recordDenied(
            actorID: principal.personID, detail: "\(request.method) \(request.uri.path): \(why)", requestID: context.id, client: context.clientAddress
        )
        throw Problem(type: "forbidden", title: "Forbidden", status: .forbidden, detail: "Refused: \(why).")
    }
}
