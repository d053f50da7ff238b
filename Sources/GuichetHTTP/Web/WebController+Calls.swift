import Foundation
import GuichetDomain
import GuichetServices
import Hummingbird

extension WebController {
    func registerCalls(on web: RouterGroup<GuichetRequestContext>) {
        web.get("/console/calls/new", use: callForm)
        web.post("/console/calls", use: recordCall)
    }

    /// Phone call logging: find the caller, then open the ticket on their behalf (origin phone).
    @Sendable func callForm(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard AccessPolicy.mayOpenOnBehalf(principal) else { throw WebError.notForYou }
        return try await callPage(CallValues(query: request.uri.queryParameters.get("q") ?? ""), errors: [], visitor: visitor, principal: principal)
    }

    @Sendable func recordCall(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard AccessPolicy.mayOpenOnBehalf(principal), let form = context.form else { throw WebError.notForYou }
        let values = CallValues(form: form)
        let words = visitor.language
        var errors: [[String: String]] = []
        if values.callerID == nil { errors.append(["field": "caller-search", "message": words.word("error_caller")]) }
        if values.title.isEmpty { errors.append(["field": "title", "message": words.word("error_title_required")]) }
        guard errors.isEmpty, let caller = values.callerID else {
            return try await callPage(values, errors: errors, visitor: visitor, principal: principal)
        }
        do {
            let outcome = try await tickets.open(
                OpenTicketRequest(
                    kind: values.kind, title: values.title, description: values.description, impact: values.impact, urgency: values.urgency,
                    service: values.service, origin: .phone, requesterId: caller
                ),
                by: principal, idempotencyKey: nil
            )
            return Self.redirect("/tickets/\(outcome.ticket.ref)")
        } catch ServiceError.validation(let problems) {
            return try await callPage(values, errors: problems.map { ["field": $0.field, "message": $0.message] }, visitor: visitor, principal: principal)
        }
    }

    private func callPage(_ values: CallValues, errors: [[String: String]], visitor: WebVisitor, principal: Principal) async throws -> Response {
        let words = visitor.language
        let callers = try await console.callers(matching: values.query, for: principal)
        let services = try await catalogue.families().flatMap(\.services).filter(\.inPerimeter)
        var data: [String: Any] = [
            "q": values.query, "searched": values.query.trimmingCharacters(in: .whitespaces).count >= 2, "errors": errors,
            "callers": callers.map {
                ["id": $0.id, "name": $0.name, "organization": $0.organization, "email": $0.email, "selected": $0.id == values.callerID || callers.count == 1]
                    as [String: Any]
            },
            "services": services.map { ["code": $0.code, "name": $0.name, "selected": $0.code == values.service] as [String: Any] },
            "title": values.title, "description": values.description, "kindIncident": values.kind == .incident,
            "impacts": (1...3).map { ["value": $0, "label": words.word("impact_\($0)"), "selected": $0 == values.impact] },
            "urgencies": (1...3).map { ["value": $0, "label": WebFormat.urgency($0, in: words), "selected": $0 == values.urgency] },
        ]
        data["titleError"] = errors.first { $0["field"] == "title" }?["message"]
        data["callerError"] = errors.first { $0["field"] == "caller-search" }?["message"]
        return renderer.page("call", title: words.word("call_title"), data: data, visitor: visitor, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}

/// What an agent typed while logging a call.
struct CallValues {
    var query: String
    var callerID: Int64?
    var service: String?
    var kind: TicketKind = .incident
    var title = ""
    var description = ""
    var impact = 3
    var urgency = 3

    init(query: String) { self.query = query }

    init(form: WebForm) {
        query = form["q"] ?? ""
        callerID = form.text("caller").flatMap(Int64.init)
        service = form.text("service")
        kind = form.text("kind").flatMap(TicketKind.init(rawValue:)) ?? .incident
        title = form.text("title") ?? ""
        description = form["description"] ?? ""
        impact = form.level("impact") ?? 3
        urgency = form.level("urgency") ?? 3
    }
}
