import Foundation
import GuichetServices
import Hummingbird

extension TicketsController {
    struct LinkCIRequest: Decodable {
        let ciId: Int64
    }

    struct LinkedCIs: Encodable {
        let items: [CISummaryView]
    }

    /// `POST /tickets/{id}/cis`: links a CI to the ticket (staff); answers the ticket's CIs.
    @Sendable func linkCI(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(LinkCIRequest.self, from: request, context: context)
        let linked = try await tickets.link(ci: body.ciId, toTicket: try context.parameters.require("id"), by: principal)
        return try Self.json(LinkedCIs(items: linked), status: .created)
    }

    /// `DELETE /tickets/{id}/cis/{ci}`: unlinks a CI from the ticket (staff).
    @Sendable func unlinkCI(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let ci = try context.rowID("ci", naming: "configuration item")
        try await tickets.unlink(ci: ci, fromTicket: try context.parameters.require("id"), by: principal)
        return Response(status: .noContent)
    }
}
