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
