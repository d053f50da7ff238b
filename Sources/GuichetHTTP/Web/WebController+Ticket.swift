import Foundation
import GuichetDomain
import GuichetServices
import Hummingbird

extension WebController {
    func registerTicketPages(on web: RouterGroup<GuichetRequestContext>) {
        web.get("/tickets/:ref", use: ticketPage)
        web.post("/tickets/:ref/replies", use: reply)
        web.post("/tickets/:ref/confirm", use: confirm)
        web.post("/tickets/:ref/actions/:action", use: act)
        web.post("/tickets/:ref/merge", use: merge)
        web.post("/tickets/:ref/split", use: split)
        web.get("/attachments/:id", use: download)
    }

    @Sendable func ticketPage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let ref = try context.parameters.require("ref")
        let notice = request.uri.queryParameters.get("done").map { visitor.language.word("done_\($0)") }
        return try await ticketView(ref, visitor: visitor, principal: principal, extra: notice.map { ["notice": $0] } ?? [:])
    }

    /// The ticket page, with what a failed form needs shown again (`extra`).
    func ticketView(
        _ ref: String, visitor: WebVisitor, principal: Principal, extra: [String: Any] = [:], typed: TypedAction? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let folder = try await tickets.folder(ref, for: principal)
        let words = visitor.language
        let ticket = folder.ticket
        var data: [String: Any] = [
            "ticket": ticketData(ticket, words: words),
            "comments": folder.comments.map { comment -> [String: Any] in
                [
                    "author": comment.author.name, "body": comment.body, "visibility": comment.visibility.rawValue,
                    "visibilityText": words.word(comment.visibility == .internal ? "internal_note" : "public_reply"),
                    "internal": comment.visibility == .internal, "created": WebFormat.date(comment.createdAt, in: words),
                    "createdISO": WebFormat.iso(comment.createdAt),
                ]
            },
            "attachments": folder.attachments.map {
                ["id": $0.id, "filename": $0.filename, "sizeText": WebFormat.size($0.size, in: words), "uploadedBy": $0.uploadedBy] as [String: Any]
            },
            "canReply": AccessPolicy.mayWrite(principal) && ticket.status != .closed && !principal.roles.contains(.partner),
            "canConfirm": ticket.status == .resolved && ticket.requester.id == principal.personID,
        ]
        var equipment: [[String: Any]] = []
        for ci in ticket.cis ?? [] {
            var entry: [String: Any] = ["id": ci.id, "name": ci.name, "classText": words.word("class_\(ci.class.rawValue)")]
            if visitor.works {
                entry["impactLine"] = Self.impactLine(try await cmdb.impact(of: ci.id, direction: .down, depth: 10, for: principal), words: words)
            }
            equipment.append(entry)
        }
        // staff link and unlink equipment here; others see the card only when it names some
        if principal.isStaff || !equipment.isEmpty { data["equipmentCard"] = ["items": equipment, "linkable": principal.isStaff] as [String: Any] }
        if principal.isStaff {
            data["picker"] = ["field": "link-ci-field", "label": words.word("link_ci"), "hint": words.word("link_ci_hint"), "value": "", "ci": ""]
        }
        if visitor.works {
            data["history"] = folder.history.map { event -> [String: Any] in
                var entry: [String: Any] = [
                    "at": WebFormat.date(event.at, in: words), "atISO": WebFormat.iso(event.at), "actor": event.actor?.name ?? "Guichet",
                    "kindText": words.word("event_\(event.kind)"),
                ]
                entry["note"] = event.systemNote.map { WebFormat.systemNote($0, in: words) } ?? event.note
                return entry
            }
            data["actions"] = try await actionForms(ticket, typed: typed, words: words)
            if principal.isStaff, ticket.origin == .monitoring {
                let items = try await alertData(ref, principal: principal, words: words)
                data["alertCard"] = ["items": items, "open": ![.resolved, .closed].contains(ticket.status), "splittable": items.count > 1] as [String: Any]
            }
            data["clocks"] = try await clockData(ref, principal: principal, words: words)
        }
        data.merge(extra) { _, new in new }
        return renderer.page("ticket", title: "\(ticket.ref) · \(ticket.title)", data: data, visitor: visitor, status: status)
    }

    private func ticketData(_ ticket: TicketView, words: WebLanguage) -> [String: Any] {
        var data: [String: Any] = [
            "ref": ticket.ref, "title": ticket.title, "description": ticket.description, "status": ticket.status.rawValue,
            "statusText": WebFormat.status(ticket.status, in: words), "handler": WebFormat.handler(ticket, in: words),
            "kindText": words.word("kind_\(ticket.kind.rawValue)"), "priority": ticket.priority, "urgencyText": WebFormat.urgency(ticket.urgency, in: words),
            "service": ticket.service?.name ?? "—", "establishment": ticket.establishment.name, "requester": ticket.requester.name,
            "created": WebFormat.date(ticket.createdAt, in: words), "createdISO": WebFormat.iso(ticket.createdAt), "version": ticket.version,
        ]
        data["pendingReason"] = ticket.status == .pending ? ticket.pendingReason : nil
        if let resolution = ticket.resolution {
            data["resolution"] = ["solution": resolution.solution, "modeText": words.word("mode_\(resolution.mode.rawValue)")]
        }
        return data
    }

    private func actionForms(_ ticket: TicketView, typed: TypedAction?, words: WebLanguage) async throws -> [[String: Any]] {
        let needsTeams = ticket.availableActions.contains(.assign) || ticket.availableActions.contains(.escalate)
        let teams = needsTeams ? try await console.teams().map { ["id": $0.id, "name": $0.name] as [String: Any] } : []
        let codes = ["fixed", "workaround", "no_fault_found", "duplicate", Resolution.outOfPerimeterCode]
        return ticket.availableActions.map { action in
            // what was typed in the form of an action refused comes back in it
            let kept = typed?.action == action ? typed : nil
            return [
                "name": action.rawValue, "label": words.word("action_\(action.rawValue)"),
                "needsTeam": action == .assign || action == .escalate,
                "teams": teams.map { team in team.merging(["selected": (team["id"] as? Int64) == kept?.fields.teamId]) { _, new in new } },
                "needsReason": [.pend, .escalate, .reopen].contains(action), "isResolve": action == .resolve,
                "reason": kept?.fields.reason ?? "", "solution": kept?.fields.solution ?? "",
                "resolutionCodes": codes.map { ["value": $0, "label": words.word("code_\($0)"), "selected": $0 == kept?.fields.resolutionCode] },
                "modes": ResolutionMode.allCases.map { mode in
                    ["value": mode.rawValue, "label": words.word("mode_\(mode.rawValue)"), "selected": mode == kept?.fields.resolutionMode]
                },
            ]
        }
    }

    /// A monitoring incident's alerts, each with its timeline, for the staff.
    private func alertData(_ ref: String, principal: Principal, words: WebLanguage) async throws -> [[String: Any]] {
        try await alerts.alerts(ofTicket: ref, for: principal).map { alert in
            var entry: [String: Any] = [
                "id": alert.id, "summary": alert.summary, "source": alert.source, "key": alert.key, "notifications": alert.notifications,
                "state": alert.status == .firing ? "down" : "up", "statusText": words.word("alert_\(alert.status.rawValue)"),
                "events": (alert.events ?? []).map { event in
                    ["at": WebFormat.date(event.at, in: words), "atISO": WebFormat.iso(event.at), "text": words.word("alert_event_\(event.status)")] as [String: Any]
                },
            ]
            if let since = alert.flappingSince { entry["flapping"] = WebFormat.date(since, in: words) }
            if let ci = alert.ci {
                entry["ci"] = ci.name
                entry["ciID"] = ci.id
            }
            return entry
        }
    }

    private func clockData(_ ref: String, principal: Principal, words: WebLanguage) async throws -> [[String: Any]] {
        let report = try await sla.report(for: ref, principal: principal)
        return report.clocks.map { clock in
            var data: [String: Any] = [
                "name": words.word("clock_\(clock.metric.rawValue)"), "state": clock.state.rawValue, "stateText": words.word("sla_\(clock.state.rawValue)"),
                "target": WebFormat.duration(clock.targetSeconds, in: words), "elapsed": WebFormat.duration(clock.elapsedSeconds, in: words),
                "remaining": WebFormat.duration(clock.remainingSeconds, in: words),
                "timeline": clock.timeline.map {
                    ["from": WebFormat.date($0.from, in: words), "to": WebFormat.date($0.to, in: words), "counted": $0.counted, "reason": WebFormat.reason($0.reason, in: words)] as [String: Any]
                },
            ]
            if let due = clock.dueAt {
                data["due"] = WebFormat.date(due, in: words)
                data["dueISO"] = WebFormat.iso(due)
            }
            return data
        }
    }

    @Sendable func reply(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let ref = try context.parameters.require("ref")
        guard let form = context.form else { throw WebError.forbiddenForm }
        let body = form.text("body") ?? ""
        let visibility: CommentVisibility = form["internal"] == "1" ? .internal : .public
        do {
            guard !body.isEmpty else { throw ServiceError.validation([FieldProblem(field: "reply-body", message: visitor.language.word("error_reply_empty"))]) }
            let refused = tickets.attachmentProblems(form.attachments("attachment"))
            guard refused.isEmpty else {
                throw ServiceError.validation(refused.map { FieldProblem(field: "reply-attachment", message: WebFormat.attachment($0, in: visitor.language)) })
            }
            _ = try await tickets.comment(
                CommentRequest(body: body, visibility: visibility, origin: .portal), on: ref, by: principal, attachments: form.attachments("attachment")
            )
            return Self.redirect("/tickets/\(ref)?done=reply")
        } catch ServiceError.validation(let problems) {
            let errors = problems.map { ["field": "reply-body", "message": $0.message] }
            return try await ticketView(ref, visitor: visitor, principal: principal, extra: ["errors": errors, "replyBody": body], status: .unprocessableContent)
        }
    }

    /// The requester's answer on a resolved ticket: solved closes it, still broken reopens it.
    @Sendable func confirm(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let ref = try context.parameters.require("ref")
        guard let form = context.form, let version = form.text("version").flatMap(Int.init) else { throw WebError.forbiddenForm }
        let action: TicketAction =
            form["answer"] == "solved" ? .close : .reopen(reason: form.text("reason") ?? visitor.language.word("still_broken"))
        return try await perform(action, on: ref, version: version, visitor: visitor, principal: principal)
    }

    /// An agent's action from the ticket page, with the version the page showed.
    @Sendable func act(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let ref = try context.parameters.require("ref")
        guard let form = context.form, let version = form.text("version").flatMap(Int.init) else { throw WebError.forbiddenForm }
        guard let name = TicketActionName(rawValue: try context.parameters.require("action")) else { throw ServiceError.notFound("action") }
        let fields = ActionRequest(
            teamId: form.text("team_id").flatMap(Int64.init), agentId: nil, reason: form.text("reason"), resolutionCode: form.text("resolution_code"),
            solution: form.text("solution"), resolutionMode: form.text("resolution_mode").flatMap(ResolutionMode.init(rawValue:))
        )
        do {
            try TicketService.authorize(name, by: principal)
            return try await perform(try fields.action(named: name, caller: principal), on: ref, version: version, visitor: visitor, principal: principal)
        } catch let problem as Problem {
            let missing = (problem.errors ?? []).map(\.field).joined(separator: ", ")
            let errors = [["message": visitor.language.word("error_action_fields") + " " + (missing.isEmpty ? (problem.detail ?? "") : missing)]]
            return try await ticketView(
                ref, visitor: visitor, principal: principal, extra: ["errors": errors], typed: TypedAction(action: name, fields: fields),
                status: .unprocessableContent
            )
        }
    }

    /// The merge form of a monitoring incident: into the incident whose ref was typed.
    @Sendable func merge(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let ref = try context.parameters.require("ref")
        guard let form = context.form else { throw WebError.forbiddenForm }
        return try await refusedOnTicket(ref, visitor: visitor, principal: principal) {
            guard let into = form.text("into") else { throw ServiceError.validation([FieldProblem(field: "into", message: visitor.language.word("error_merge_into"))]) }
            let target = try await alerts.merge(ref, into: into, by: principal)
            return Self.redirect("/tickets/\(target.ref)?done=merged")
        }
    }

    /// The split form of a monitoring incident: the alerts ticked leave for a new incident.
    @Sendable func split(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let ref = try context.parameters.require("ref")
        guard let form = context.form else { throw WebError.forbiddenForm }
        return try await refusedOnTicket(ref, visitor: visitor, principal: principal) {
            let opened = try await alerts.split(ref, alerts: (form.fields["alert"] ?? []).compactMap { Int64($0) }, by: principal)
            return Self.redirect("/tickets/\(opened.ref)?done=split")
        }
    }

    /// Runs a form's change of a ticket; a refusal shows the ticket again with the reason.
    private func refusedOnTicket(
        _ ref: String, visitor: WebVisitor, principal: Principal, _ change: () async throws -> Response
    ) async throws -> Response {
        do {
            return try await change()
        } catch let error as ServiceError {
            if case .notFound = error { throw error }
            let errors = [["message": WebFormat.describe(error, in: visitor.language)]]
            return try await ticketView(ref, visitor: visitor, principal: principal, extra: ["errors": errors], status: .unprocessableContent)
        }
    }

    private func perform(_ action: TicketAction, on ref: String, version: Int, visitor: WebVisitor, principal: Principal) async throws -> Response {
        do {
            let ticket = try await tickets.perform(action, on: ref, expectedVersion: version, by: principal)
            return Self.redirect("/tickets/\(ticket.ref)?done=\(action.name.rawValue)")
        } catch ServiceError.versionMismatch {
            return try await ticketView(ref, visitor: visitor, principal: principal, extra: ["conflict": true], status: .conflict)
        } catch let error as ServiceError {
            if case .notFound = error { throw error }
            let errors = [["message": WebFormat.describe(error, in: visitor.language)]]
            return try await ticketView(ref, visitor: visitor, principal: principal, extra: ["errors": errors], status: .unprocessableContent)
        }
    }

    /// A file of a ticket, always as a download: never shown inline, never sniffed.
    @Sendable func download(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (_, principal) = try Self.signedIn(request, context)
        let id = try Self.rowID(context, "id", naming: "attachment")
        let file = try await tickets.attachment(id, for: principal)
        let ascii = String(file.filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = file.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/octet-stream", .contentDisposition: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)",
                .cacheControl: "private, no-store",
            ],
            body: .init(byteBuffer: file.bytes)
        )
    }
}

/// The fields of an action's form as the agent filled them, shown again when the action is refused.
struct TypedAction {
    var action: TicketActionName
    var fields: ActionRequest
}
