import Foundation
import GuichetServices
import Hummingbird

/// `/api/v1/password-reset`: ask for a reset link by e-mail, then set a new password with it.
struct PasswordResetController {
    let resets: PasswordResetService

    struct Ask: Decodable {
        let login: String?
    }

    struct Complete: Decodable {
        let token: String?
        let password: String?
    }

    struct Accepted: Encodable {
        let detail: String
    }

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.post, "/password-reset", in: group, prefix: prefix, handler: ask)
        table.add(.post, "/password-reset/complete", in: group, prefix: prefix, handler: complete)
    }

    @Sendable func ask(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Ask.self, from: request, context: context)
        try await resets.request(loginOrEmail: body.login ?? "", client: context.clientAddress, requestID: context.id)
        return try TicketsController.json(
            Accepted(detail: "If an account matches, a link to choose a new password is on its way to its e-mail address."), status: .accepted
        )
    }

    @Sendable func complete(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Complete.self, from: request, context: context)
        try await resets.complete(token: body.token ?? "", newPassword: body.password ?? "", client: context.clientAddress, requestID: context.id)
        return Response(status: .noContent)
    }
}
