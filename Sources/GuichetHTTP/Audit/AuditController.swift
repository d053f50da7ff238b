import Foundation
import GuichetServices
import Hummingbird

/// `/api/v1/audit`: administrators read the audit log.
struct AuditController {
    let audit: AuditService

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.get, "/audit", in: group, prefix: prefix, handler: list)
    }

    @Sendable func list(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let parameters = request.uri.queryParameters
        var actorID: Int64?
        if let actor = parameters.get("actor_id") {
            guard let id = Int64(actor) else { throw Problem.badRequest("The actor_id is a person's id.", field: "actor_id") }
            actorID = id
        }
        var since: Date?
        if let text = parameters.get("since") {
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw Problem.badRequest("The since is an RFC 3339 instant, e.g. 2026-11-29T08:00:00Z.", field: "since")
            }
            since = date
        }
        var before: Int64?
        if let cursor = parameters.get("cursor") {
            guard let id = Int64(cursor) else { throw Problem.badRequest("This cursor was not given by Guichet.", field: "cursor") }
            before = id
        }
        var limit = 50
        if let text = parameters.get("limit") {
            guard let value = Int(text), (1...200).contains(value) else {
                throw Problem.badRequest("The limit is a whole number from 1 to 200.", field: "limit")
            }
            limit = value
        }
        let page = try await audit.list(
            kindPrefix: parameters.get("kind"), actorID: actorID, objectType: parameters.get("object_type"), objectID: parameters.get("object_id"),
            since: since, before: before, limit: limit, by: principal
        )
        return try TicketsController.json(page)
    }
}
