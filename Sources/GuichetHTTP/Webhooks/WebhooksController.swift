import Foundation
import GuichetServices
import HTTPTypes
import Hummingbird

/// `/api/v1/webhooks`: administrators subscribe tools and partners to ticket events.
struct WebhooksController {
    let webhooks: WebhookService

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.post, "/webhooks", in: group, prefix: prefix, handler: subscribe)
        table.add(.get, "/webhooks", in: group, prefix: prefix, handler: list)
        table.add(.delete, "/webhooks/{id}", in: group, prefix: prefix, handler: unsubscribe)
    }

    @Sendable func subscribe(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(WebhookService.Subscribe.self, from: request, context: context)
        let created = try await webhooks.subscribe(body, by: principal)
        var response = try TicketsController.json(created, status: .created)
        response.headers[.location] = "/api/v1/webhooks/\(created.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try TicketsController.json(try await webhooks.list(by: principal))
    }

    @Sendable func unsubscribe(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.rowID("id", naming: "webhook subscription")
        try await webhooks.unsubscribe(id, by: principal)
        return Response(status: .noContent)
    }
}
