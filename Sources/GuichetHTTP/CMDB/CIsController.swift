import Foundation
import GuichetDomain
import GuichetServices
import HTTPTypes
import Hummingbird

/// `/api/v1/cis`: the fleet's configuration items, their impact and their tickets.
struct CIsController {
    let cmdb: CMDBService

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.get, "/cis", in: group, prefix: prefix, handler: list)
        table.add(.post, "/cis", in: group, prefix: prefix, handler: create)
        table.add(.get, "/cis/{id}", in: group, prefix: prefix, handler: show)
        table.add(.patch, "/cis/{id}", in: group, prefix: prefix, handler: update)
        table.add(.get, "/cis/{id}/impact", in: group, prefix: prefix, handler: impact)
        table.add(.get, "/cis/{id}/tickets", in: group, prefix: prefix, handler: tickets)
    }

    @Sendable func list(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = try CIListQuery(request.uri.queryParameters)
        let page = try await cmdb.list(query.filter, cursor: query.cursor, limit: query.limit, for: principal)
        return try TicketsController.json(page)
    }

    @Sendable func show(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let ci = try await cmdb.ci(try context.rowID("id", naming: "configuration item"), for: principal)
        var response = try TicketsController.json(ci)
        response.headers[.eTag] = ETag.make(ci.version)
        return response
    }

    @Sendable func create(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(CIChange.self, from: request, context: context)
        let ci = try await cmdb.create(body, by: principal)
        var response = try TicketsController.json(ci, status: .created)
        response.headers[.location] = "/api/v1/cis/\(ci.id)"
        response.headers[.eTag] = ETag.make(ci.version)
        return response
    }

    @Sendable func update(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.rowID("id", naming: "configuration item")
        let version = try ETag.required(request, of: "configuration item")
        let body = try await JSONBody.decode(CIChange.self, from: request, context: context)
        let ci = try await cmdb.update(id, body, expectedVersion: version, by: principal)
        var response = try TicketsController.json(ci)
        response.headers[.eTag] = ETag.make(ci.version)
        return response
    }

    @Sendable func impact(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let parameters = request.uri.queryParameters
        var direction = ImpactDirection.down
        if let text = parameters.get("direction") {
            guard let value = ImpactDirection(rawValue: text) else { throw Problem.badRequest("The direction is down or up.", field: "direction") }
            direction = value
        }
        var depth = 10
        if let text = parameters.get("depth") {
            guard let value = Int(text), (1...20).contains(value) else {
                throw Problem.badRequest("The depth is a whole number from 1 to 20.", field: "depth")
            }
            depth = value
        }
        return try TicketsController.json(try await cmdb.impact(of: try context.rowID("id", naming: "configuration item"), direction: direction, depth: depth, for: principal))
    }

    @Sendable func tickets(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let tickets = try await cmdb.tickets(ofCI: try context.rowID("id", naming: "configuration item"), for: principal, limit: 200)
        return try TicketsController.json(CITicketPage(items: tickets))
    }

    struct CITicketPage: Encodable {
        let items: [CITicketView]
    }
}
