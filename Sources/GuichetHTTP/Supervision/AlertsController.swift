import Foundation
import GuichetDomain
import GuichetServices
import HTTPTypes
import Hummingbird

/// `/api/v1/alerts`: monitoring sources send their notifications, each answered 202 at once once
/// stored; a worker applies them.
struct AlertsController {
    let alerts: AlertService

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.post, "/alerts", in: group, prefix: prefix) { try await receive($0, $1, format: .guichet) }
        table.add(.post, "/alerts/alertmanager", in: group, prefix: prefix) { try await receive($0, $1, format: .alertmanager) }
        table.add(.post, "/alerts/nagios", in: group, prefix: prefix) { try await receive($0, $1, format: .nagios) }
        table.add(.get, "/alerts", in: group, prefix: prefix, handler: search)
        table.add(.get, "/tickets/{id}/alerts", in: group, prefix: prefix, handler: ofTicket)
        table.add(.post, "/tickets/{id}/merge", in: group, prefix: prefix, handler: merge)
        table.add(.post, "/tickets/{id}/split", in: group, prefix: prefix, handler: split)
    }

    struct MergeBody: Decodable {
        /// The incident merged into: its id or ref.
        var into: String
    }

    struct SplitBody: Decodable {
        var alerts: [Int64]
    }

    /// `POST /tickets/{id}/merge`: the incident joins another, with its alerts and equipment.
    @Sendable func merge(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let key = try context.parameters.require("id")
        let body = try await JSONBody.decode(MergeBody.self, from: request, context: context)
        return try TicketsController.json(try await alerts.merge(key, into: body.into, by: principal))
    }

    /// `POST /tickets/{id}/split`: alerts of the incident leave it for a new incident (201).
    @Sendable func split(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let key = try context.parameters.require("id")
        let body = try await JSONBody.decode(SplitBody.self, from: request, context: context)
        let opened = try await alerts.split(key, alerts: body.alerts, by: principal)
        var response = try TicketsController.json(opened, status: .created)
        response.headers[.location] = "/api/v1/tickets/\(opened.id)"
        return response
    }

    /// `GET /alerts?q=&status=&cursor=&limit=`: the staff's search of alerts.
    @Sendable func search(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        // the path is the monitoring sources' intake too: their tokens send, they do not read
        guard principal.scopes.contains(.read) else {
            throw Problem(type: "forbidden", title: "Forbidden", status: .forbidden, detail: "This token only sends alerts; reading them takes a token with the read scope.")
        }
        let parameters = request.uri.queryParameters
        var status: AlertSignal.Status?
        if let name = parameters.get("status") {
            guard let value = AlertSignal.Status(rawValue: name) else { throw Problem.badRequest("The status is firing or resolved.", field: "status") }
            status = value
        }
        var limit = 50
        if let text = parameters.get("limit") {
            guard let value = Int(text), (1...200).contains(value) else { throw Problem.badRequest("The limit is a whole number from 1 to 200.", field: "limit") }
            limit = value
        }
        let text = parameters.get("q").map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        return try TicketsController.json(try await alerts.search(text, status: status, cursor: parameters.get("cursor"), limit: limit, for: principal))
    }

    /// `GET /tickets/{id}/alerts`: an incident's alerts with their timelines.
    @Sendable func ofTicket(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let key = try context.parameters.require("id")
        return try TicketsController.json(["items": try await alerts.alerts(ofTicket: key, for: principal)])
    }

    func receive(_ request: Request, _ context: GuichetRequestContext, format: AlertService.Format) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard AccessPolicy.mayReportAlerts(principal) else {
            throw Problem(
                type: "forbidden", title: "Forbidden", status: .forbidden,
                detail: "Alerts are sent with a monitoring source's token (scope alerts) or by an administrator."
            )
        }
        // Nagios's notification commands post form fields, or JSON like the others
        let types = format == .nagios ? ["application/json", "application/x-www-form-urlencoded"] : ["application/json"]
        if let type = request.headers[.contentType], !types.contains(where: type.lowercased().hasPrefix) {
            throw Problem(
                type: "unsupported-media-type", title: "Unsupported media type", status: .unsupportedMediaType,
                detail: "Send the notification as \(types.joined(separator: " or "))."
            )
        }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: AlertService.maxBytes)
        } catch {
            throw Problem(
                type: "too-large", title: "Notification too large", status: .contentTooLarge,
                detail: "A notification is at most \(AlertService.maxBytes / 1_048_576) MiB; send its alerts in several."
            )
        }
        let data = body.readData(length: body.readableBytes) ?? Data()
        do {
            let received = try await alerts.receive(data, format: format, by: principal)
            return try TicketsController.json(received, status: .accepted)
        } catch let problem as AlertPayloadProblem {
            throw Problem.badRequest(problem.message, field: problem.field)
        }
    }
}
