import Foundation
import GuichetDomain
import GuichetServices
import HTTPTypes
import Hummingbird

/// `/api/v1/tickets`: open, read, list, act, comment, history, SLA clocks, equipment.
struct TicketsController {
    let tickets: TicketService
    let sla: SLAService

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.post, "/tickets", in: group, prefix: prefix, handler: open)
        table.add(.get, "/tickets", in: group, prefix: prefix, handler: list)
        table.add(.get, "/tickets/{id}", in: group, prefix: prefix, handler: show)
        table.add(.post, "/tickets/{id}/actions/{action}", in: group, prefix: prefix, handler: act)
        table.add(.post, "/tickets/{id}/comments", in: group, prefix: prefix, handler: comment)
        table.add(.get, "/tickets/{id}/history", in: group, prefix: prefix, handler: history)
        table.add(.get, "/tickets/{id}/sla", in: group, prefix: prefix, handler: clocks)
        table.add(.post, "/tickets/{id}/cis", in: group, prefix: prefix, handler: linkCI)
        table.add(.delete, "/tickets/{id}/cis/{ci}", in: group, prefix: prefix, handler: unlinkCI)
    }

    @Sendable func open(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(OpenTicketRequest.self, from: request, context: context)
        let outcome = try await tickets.open(body, by: principal, idempotencyKey: request.headers[.idempotencyKey])
        var response = try Self.json(outcome.ticket, status: .created)
        response.headers[.location] = "/api/v1/tickets/\(outcome.ticket.id)"
        response.headers[.eTag] = ETag.make(outcome.ticket.version)
        if outcome.replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    @Sendable func show(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let ticket = try await tickets.ticket(try context.parameters.require("id"), for: principal)
        let etag = ETag.make(ticket.version)
        if request.headers[.ifNoneMatch] == etag {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        var response = try Self.json(ticket)
        response.headers[.eTag] = etag
        return response
    }

    @Sendable func list(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = try TicketListQuery(request.uri.queryParameters)
        let page = try await tickets.list(query.filter, establishment: query.establishment, cursor: query.cursor, limit: query.limit, for: principal)
        return try Self.json(page)
    }

    @Sendable func comment(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(CommentRequest.self, from: request, context: context)
        let comment = try await tickets.comment(body, on: try context.parameters.require("id"), by: principal)
        return try Self.json(comment, status: .created)
    }

    @Sendable func history(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let events = try await tickets.history(of: try context.parameters.require("id"), for: principal)
        return try Self.json(HistoryPage(items: events))
    }

    @Sendable func clocks(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try Self.json(try await sla.report(for: try context.parameters.require("id"), principal: principal))
    }

    struct HistoryPage: Encodable {
        let items: [EventView]
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONCoding.encoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Ticket versions as entity tags: `"7"`.
enum ETag {
    static func make(_ version: Int) -> String { "\"\(version)\"" }

    /// The version the request's `If-Match` names: 428 without one, 400 for one that is no ETag.
    static func required(_ request: Request, of thing: String) throws -> Int {
        guard let ifMatch = request.headers[.ifMatch] else {
            throw Problem(
                type: "precondition-required", title: "If-Match required", status: .preconditionRequired,
                detail: "Send the \(thing)'s ETag as If-Match so that two people cannot overwrite each other's change."
            )
        }
        guard let version = version(ifMatch: ifMatch) else {
            throw Problem.badRequest("If-Match must be the ETag of the \(thing), such as \"3\".", field: "If-Match")
        }
        return version
    }

    /// The version an `If-Match` names; a weak tag is accepted since versions are exact.
    static func version(ifMatch: String) -> Int? {
        var text = ifMatch.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        guard text.count >= 3, text.first == "\"", text.last == "\"" else { return nil }
        return Int(text.dropFirst().dropLast())
    }
}

extension HTTPField.Name {
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
