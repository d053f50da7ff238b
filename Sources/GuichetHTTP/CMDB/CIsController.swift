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
        table.add(.get, "/cis/export", in: group, prefix: prefix, handler: export)
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

    /// The CIs of the list's filter as a CSV inventory file in the import's columns, sent as it is
    /// read. The columns and the first page are read before the answer starts, so that a fault
    /// there is an error answer, not a cut file.
    @Sendable func export(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = try CIListQuery(request.uri.queryParameters)
        let export = try await cmdb.export(query.filter, for: principal)
        let first = try await export.page(after: nil)
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"guichet-cis.csv\"", .cacheControl: "no-store"],
            body: .init { writer in
                try await writer.write(ByteBuffer(string: CSV.line(export.columns)))
                var page = first
                while let last = page.last {
                    var text = ""
                    for row in page { text += CSV.line(export.columns.map { row.fields[$0] ?? "" }) }
                    try await writer.write(ByteBuffer(string: text))
                    page = try await export.page(after: last)
                }
                try await writer.finish(nil)
            }
        )
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
