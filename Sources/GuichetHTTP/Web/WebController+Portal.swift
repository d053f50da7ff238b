import Foundation
import GuichetDomain
import GuichetServices
import Hummingbird

extension WebController {
    func registerPortal(on web: RouterGroup<GuichetRequestContext>) {
        web.get("/", use: portalHome)
        web.get("/requests/new", use: newRequest)
        web.post("/requests", use: submitRequest)
        web.get("/requests/equipment", use: equipmentChoices)
    }

    /// The requester's home: their tickets (a correspondent's: the establishment's), newest first.
    @Sendable func portalHome(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard visitor.isRequester else { return Self.redirect(Self.home(of: principal)) }
        let page = try await tickets.list(TicketFilter(), cursor: nil, limit: 100, for: principal)
        let words = visitor.language
        let correspondent = principal.roles.contains(.correspondent)
        let rows: [[String: Any]] = page.items.map { ticket in
            [
                "ref": ticket.ref, "title": ticket.title, "status": ticket.status.rawValue, "statusText": WebFormat.status(ticket.status, in: words),
                "handler": WebFormat.handler(ticket, in: words), "updated": WebFormat.date(ticket.updatedAt, in: words),
                "updatedISO": WebFormat.iso(ticket.updatedAt),
            ]
        }
        return renderer.page(
            "home", title: words.word(correspondent ? "establishment_tickets" : "my_tickets"),
            data: [
                "heading": words.word(correspondent ? "establishment_tickets" : "my_tickets"), "tickets": rows,
                "caption": words.word(correspondent ? "establishment_tickets_caption" : "my_tickets_caption"),
            ],
            visitor: visitor
        )
    }

    /// The catalogue, or the request form of the service chosen in it.
    @Sendable func newRequest(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard AccessPolicy.mayOpen(principal) else { throw WebError.notForYou }
        if let text = request.uri.queryParameters.get("service") {
            guard let id = Int64(text), let service = try await catalogue.requestable(id: id) else { throw ServiceError.notFound("service") }
            return try await requestForm(service: (service.id, service.name), values: RequestValues(), errors: [], visitor: visitor, principal: principal)
        }
        let families = try await catalogue.families()
        let words = visitor.language
        return renderer.page(
            "catalogue", title: words.word("new_request"),
            data: [
                "families": families.map { family, services in
                    [
                        "name": words.word("family_\(family)"),
                        "services": services.map { service -> [String: Any] in
                            var entry: [String: Any] = ["id": service.id, "name": service.name, "inPerimeter": service.inPerimeter]
                            entry["subcategory"] = service.subcategory
                            return entry
                        },
                    ] as [String: Any]
                }
            ],
            visitor: visitor
        )
    }

    @Sendable func submitRequest(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard AccessPolicy.mayOpen(principal), let form = context.form else { throw WebError.notForYou }
        guard let id = form.text("service").flatMap(Int64.init), let service = try await catalogue.requestable(id: id) else {
            throw ServiceError.notFound("service")
        }
        let values = RequestValues(form: form)
        let words = visitor.language
        // the words of the form's own checks; the service checks again, in its words, whatever else
        var errors: [[String: String]] = []
        if values.kind == nil { errors.append(["field": "kind-incident", "message": words.word("error_kind")]) }
        if values.title.isEmpty { errors.append(["field": "title", "message": words.word("error_title_required")]) }
        if values.title.count > 200 { errors.append(["field": "title", "message": words.word("error_title_long")]) }
        let files = form.attachments("attachment")
        errors += tickets.attachmentProblems(files).map { ["field": "attachment", "message": WebFormat.attachment($0, in: words)] }
        if !errors.isEmpty { return try await requestForm(service: (service.id, service.name), values: values, errors: errors, visitor: visitor, principal: principal) }
        var description = values.description
        // equipment typed but not chosen from the list is kept in the words of the request
        if values.ci == nil, !values.unknown, !values.equipment.isEmpty {
            description += "\n\n" + words.word("equipment_typed") + " " + values.equipment
        }
        do {
            var opening = OpenTicketRequest(
                kind: values.kind, title: values.title, description: description, urgency: values.urgency, service: service.code, origin: .portal
            )
            opening.cis = values.ci.map { [$0] }
            let outcome = try await tickets.open(opening, by: principal, idempotencyKey: form.text("idempotency"), attachments: files)
            return Self.redirect("/tickets/\(outcome.ticket.ref)")
        } catch ServiceError.validation(let problems) {
            var kept = values
            let errors = problems.map { problem -> [String: String] in
                guard problem.field == "cis" else { return ["field": problem.field, "message": problem.message] }
                kept.ci = nil
                return ["field": "equipment", "message": words.word("equipment_outside")]
            }
            return try await requestForm(service: (service.id, service.name), values: kept, errors: errors, visitor: visitor, principal: principal)
        }
    }

    /// The choices of "which equipment?" (request form) and "link equipment" (ticket page): the CIs
    /// of the caller's perimeter (a requester's: their establishment's) whose name, room, asset tag,
    /// serial or address hold the words typed. Retired equipment is left out.
    @Sendable func equipmentChoices(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard AccessPolicy.mayOpen(principal) || principal.isStaff else { throw WebError.notForYou }
        let words = visitor.language
        let typed = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var choices: [[String: Any]] = []
        if typed.count >= 2 {
            let page = try await cmdb.list(CIFilter(text: String(typed.prefix(100)), inUse: true), cursor: nil, limit: 8, for: principal)
            choices = page.items.map { ci in
                let details = [words.word("class_\(ci.class.rawValue)"), ci.room, ci.assetTag].compactMap { $0 }.joined(separator: " · ")
                return ["id": ci.id, "name": ci.name, "details": details]
            }
        }
        return renderer.fragment("equipment-choices", data: ["choices": choices], visitor: visitor)
    }

    /// The request form; above it, the incidents monitoring already raised in the requester's
    /// perimeter (their establishment, the region-wide services), so that a known outage is
    /// followed on the status board rather than reported again.
    private func requestForm(
        service: (id: Int64, name: String), values: RequestValues, errors: [[String: String]], visitor: WebVisitor, principal: Principal
    ) async throws -> Response {
        let words = visitor.language
        var known: [[String: Any]] = []
        var listed: Set<String> = []
        let board = try await status.board(for: principal)
        for line in board.services + board.establishments {
            for incident in line.incidents where listed.insert(incident.ref).inserted {
                known.append(["summary": incident.summary, "where": line.name, "since": WebFormat.date(incident.since, in: words)])
            }
        }
        func error(_ field: String) -> String? {
            let messages = errors.filter { $0["field"] == field }.compactMap { $0["message"] }
            return messages.isEmpty ? nil : messages.joined(separator: " ")
        }
        var data: [String: Any] = [
            "knownIncidents": known.isEmpty ? false : ["items": known] as Any, "service": ["id": service.id, "name": service.name], "errors": errors, "title": values.title, "description": values.description,
            "unknown": values.unknown, "kindIncident": values.kind == .incident, "kindRequest": values.kind == .request,
            "urgencies": (1...3).reversed().map { ["value": $0, "label": WebFormat.urgency($0, in: words), "selected": $0 == values.urgency] },
        ]
        data["titleError"] = error("title")
        data["kindError"] = error("kind-incident") ?? error("kind")
        data["descriptionError"] = error("description")
        data["equipmentError"] = error("equipment")
        var picker: [String: Any] = [
            "field": "equipment", "label": words.word("equipment_search"), "hint": words.word("equipment_hint"), "value": values.equipment,
            "ci": values.ci.map(String.init) ?? "",
        ]
        picker["error"] = error("equipment")
        // the name the script wrote in the field when the CI was chosen
        if values.ci != nil { picker["chosen"] = values.equipment }
        data["picker"] = picker
        if let attachment = error("attachment") { data["attachmentError"] = attachment + " " + words.word("attachment_again") }
        return renderer.page("request-form", title: words.word("new_request"), data: data, visitor: visitor, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}

/// What a requester typed in the request form, kept to show again when something must be fixed.
struct RequestValues {
    var kind: TicketKind?
    var title = ""
    var description = ""
    var urgency = 3
    var equipment = ""
    /// The CI chosen in the list of equipment, if any.
    var ci: Int64?
    var unknown = false

    init() {}

    init(form: WebForm) {
        kind = form.text("kind").flatMap(TicketKind.init(rawValue:))
        title = form.text("title") ?? ""
        description = form["description"] ?? ""
        urgency = form.level("urgency") ?? 3
        equipment = form.text("equipment") ?? ""
        unknown = form.text("equipment_unknown") != nil
        ci = unknown ? nil : form.text("ci").flatMap(Int64.init)
    }
}
