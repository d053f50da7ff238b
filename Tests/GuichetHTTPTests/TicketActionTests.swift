import Foundation
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Testing

@Suite("Ticket actions")
struct TicketActionTests {
    /// The service desk team's id, read from a ticket dispatched nowhere else.
    static func serviceDeskID(_ api: APIHarness) async throws -> Int64 {
        let rows = try await api.database.client.query("SELECT id FROM teams WHERE code = 'SD'")
        for try await id in rows.decode(Int64.self) { return id }
        throw TestDatabase.Failure(description: "no service desk team")
    }

    static func teamID(_ api: APIHarness, code: String) async throws -> Int64 {
        let rows = try await api.database.client.query("SELECT id FROM teams WHERE code = \(code)")
        for try await id in rows.decode(Int64.self) { return id }
        throw TestDatabase.Failure(description: "no team \(code)")
    }

    /// Expects a 409 invalid-transition refusal that leaves the ticket unchanged.
    static func expectRefused(_ api: APIHarness, _ action: String, on ticket: TicketView, body: String = "{}") async throws {
        let response = try await api.act(action, on: ticket, body: body)
        #expect(response.status == .conflict, "\(action) from \(ticket.status): \(response.text)")
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect((response.problem["type"] as? String)?.hasSuffix("/invalid-transition") == true)
        #expect(try await api.ticket(ticket.id).version == ticket.version)
    }

    static func expectDone(_ api: APIHarness, _ action: String, on ticket: TicketView, body: String = "{}", as role: String = "agent") async throws -> TicketView {
        let response = try await api.act(action, on: ticket, as: role, body: body)
        #expect(response.status == .ok, "\(action): \(response.text)")
        let updated = try response.decode(TicketView.self)
        #expect(response.headers[.eTag] == "\"\(updated.version)\"")
        #expect(updated.version == ticket.version + 1)
        return updated
    }

    /// An agent's open tickets as auto-assignment reads them (`agent_workloads` plus the changes a
    /// trigger appends), after checking that every agent's figure equals a count of their open
    /// tickets, both before and after the changes are folded into the totals.
    static func workload(_ api: APIHarness, of personID: Int64) async throws -> Int {
        let effective = """
            coalesce((SELECT open_tickets FROM agent_workloads w WHERE w.person_id = p.id), 0)
            + coalesce((SELECT sum(open_delta) FROM agent_workload_changes c WHERE c.person_id = p.id), 0)
            """
        for stage in ["before the fold", "after the fold"] {
            let mismatches = try await api.database.client.query(
                """
                SELECT count(*) FROM people p
                WHERE \(unescaped: effective) <> (SELECT count(*) FROM tickets t WHERE t.agent_id = p.id AND t.status NOT IN ('resolved', 'closed'))
                """
            )
            for try await count in mismatches.decode(Int64.self) { #expect(count == 0, "agents whose workload differs from their open tickets \(stage)") }
            if stage == "before the fold" {
                let folded = try await api.database.client.query("SELECT fold_agent_workload_changes()")
                for try await _ in folded.decode(Int64.self) {}
            }
        }
        let rows = try await api.database.client.query("SELECT open_tickets FROM agent_workloads WHERE person_id = \(personID)")
        for try await open in rows.decode(Int32.self) { return Int(open) }
        return 0
    }

    @Test("a ticket walks its whole lifecycle, and every forbidden step on the way is refused with 409")
    func lifecycle() async throws {
        try await withAPI { api async throws in
            let desk = try await Self.serviceDeskID(api)
            let field = try await Self.teamID(api, code: "PROX-45")
            var ticket = try await api.open()
            for action in ["pend", "resume", "resolve", "close", "reopen"] {
                try await Self.expectRefused(api, action, on: ticket, body: #"{"reason":"r","resolution_code":"fixed","solution":"s","resolution_mode":"remote"}"#)
            }
            ticket = try await Self.expectDone(api, "assign", on: ticket, body: #"{"team_id":\#(desk)}"#)
            #expect(ticket.status == .assigned)
            ticket = try await Self.expectDone(api, "take", on: ticket)
            #expect(ticket.status == .inProgress)
            #expect(ticket.agent?.id == api.template.account("agent").personId)
            #expect(try await Self.workload(api, of: api.template.account("agent").personId) == 1)
            try await Self.expectRefused(api, "close", on: ticket)
            try await Self.expectRefused(api, "resume", on: ticket)
            ticket = try await Self.expectDone(api, "pend", on: ticket, body: #"{"reason":"Waiting for the lab to open"}"#)
            #expect(ticket.status == .pending)
            #expect(ticket.pendingReason == "Waiting for the lab to open")
            try await Self.expectRefused(api, "take", on: ticket)
            ticket = try await Self.expectDone(api, "resume", on: ticket)
            #expect(ticket.pendingReason == nil)
            ticket = try await Self.expectDone(api, "escalate", on: ticket, body: #"{"team_id":\#(field),"reason":"Needs someone on site"}"#)
            #expect(ticket.status == .escalated)
            #expect(ticket.team?.code == "PROX-45")
            #expect(ticket.agent == nil)
            #expect(try await Self.workload(api, of: api.template.account("agent").personId) == 0, "the escalation took the ticket off the agent")
            try await Self.expectRefused(api, "pend", on: ticket, body: #"{"reason":"r"}"#)
            ticket = try await Self.expectDone(
                api, "resolve", on: ticket, body: #"{"resolution_code":"hardware_replaced","solution":"Swapped the switch","resolution_mode":"on_site"}"#
            )
            #expect(ticket.status == .resolved)
            #expect(ticket.resolution?.mode == .onSite)
            #expect(ticket.resolvedAt != nil)
            ticket = try await Self.expectDone(api, "reopen", on: ticket, body: #"{"reason":"Still down"}"#, as: "requester")
            #expect(ticket.status == .assigned, "no agent after the escalation: back to the team")
            #expect(ticket.resolution == nil)
            let fieldAgent = try await Self.fieldAgent(api)
            ticket = try await Self.expectDone(api, "take", on: ticket, body: #"{"agent_id":\#(fieldAgent)}"#)
            #expect(try await Self.workload(api, of: fieldAgent) == 1)
            ticket = try await Self.expectDone(api, "resolve", on: ticket, body: #"{"resolution_code":"fixed","solution":"Cable","resolution_mode":"on_site"}"#)
            #expect(try await Self.workload(api, of: fieldAgent) == 0, "a resolved ticket no longer counts")
            ticket = try await Self.expectDone(api, "close", on: ticket, as: "requester")
            #expect(ticket.status == .closed)
            #expect(ticket.availableActions.isEmpty)
            for action in ["assign", "take", "reopen", "resolve"] {
                try await Self.expectRefused(api, action, on: ticket, body: #"{"team_id":\#(desk),"reason":"r","resolution_code":"c","solution":"s","resolution_mode":"remote"}"#)
            }
            let kinds = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: "agent").decode(HistoryPage.self).items.map(\.kind)
            #expect(kinds == ["created", "assigned", "taken", "pended", "resumed", "escalated", "resolved", "reopened", "taken", "resolved", "closed"])
        }
    }

    static func fieldAgent(_ api: APIHarness) async throws -> Int64 {
        let rows = try await api.database.client.query(
            "SELECT m.person_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE t.code = 'PROX-45' ORDER BY 1 LIMIT 1"
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw TestDatabase.Failure(description: "no field agent")
    }

    @Test("an out-of-perimeter request is resolved straight from new")
    func outOfPerimeter() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open(body: #"{"kind":"request","title":"Forfait mobile perso","service":"telephonie-mobile"}"#)
            let resolved = try await Self.expectDone(
                api, "resolve", on: ticket,
                body: #"{"resolution_code":"out_of_perimeter","solution":"Not handled by the service centre.","resolution_mode":"remote"}"#
            )
            #expect(resolved.status == .resolved)
            #expect(resolved.resolution?.code == "out_of_perimeter")
        }
    }

    @Test("an agent may only take tickets of a team they belong to")
    func takeNeedsMembership() async throws {
        try await withAPI { api async throws in
            let field = try await Self.teamID(api, code: "PROX-18")
            var ticket = try await api.open()
            ticket = try await Self.expectDone(api, "assign", on: ticket, body: #"{"team_id":\#(field)}"#)
            let response = try await api.act("take", on: ticket)
            #expect(response.status == .unprocessableContent)
            #expect((response.problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "agent_id")
        }
    }

    @Test("a stale If-Match is refused with 412 and the current version; a missing one with 428; a malformed one with 400")
    func preconditions() async throws {
        try await withAPI { api async throws in
            let desk = try await Self.serviceDeskID(api)
            let ticket = try await api.open()
            _ = try await Self.expectDone(api, "assign", on: ticket, body: #"{"team_id":\#(desk)}"#)
            let stale = try await api.act("take", on: ticket)
            #expect(stale.status == .preconditionFailed)
            #expect(stale.problem["current_version"] as? Int == 2)
            let missing = try await api.call(.post, "/api/v1/tickets/\(ticket.id)/actions/take", as: "agent", body: "{}")
            #expect(missing.status == .preconditionRequired)
            let malformed = try await api.call(
                .post, "/api/v1/tickets/\(ticket.id)/actions/take", as: "agent", body: "{}", headers: [.ifMatch: "version-two"]
            )
            #expect(malformed.status == .badRequest)
            let weak = try await api.call(.post, "/api/v1/tickets/\(ticket.id)/actions/take", as: "agent", body: "{}", headers: [.ifMatch: "W/\"2\""])
            #expect(weak.status == .ok)
        }
    }

    @Test("two concurrent actions on one ticket at the same version: exactly one wins, the other gets 412")
    func concurrentActions() async throws {
        try await withAPI { api async throws in
            let desk = try await Self.serviceDeskID(api)
            var ticket = try await api.open()
            ticket = try await Self.expectDone(api, "assign", on: ticket, body: #"{"team_id":\#(desk)}"#)
            ticket = try await Self.expectDone(api, "take", on: ticket)
            let snapshot = ticket
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        index.isMultiple(of: 2)
                            ? try await api.act("pend", on: snapshot, body: #"{"reason":"r\#(index)"}"#).status.code
                            : try await api.act("escalate", on: snapshot, body: #"{"team_id":\#(desk),"reason":"e\#(index)"}"#).status.code
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 412 }.count == 5, "\(statuses)")
            let final = try await api.ticket(ticket.id)
            #expect(final.version == snapshot.version + 1)
            let events = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: "agent").decode(HistoryPage.self).items
            #expect(events.count == 4, "created, assigned, taken and the one winning change")
        }
    }

    @Test("requesters cannot perform staff actions")
    func requesterForbidden() async throws {
        try await withAPI { api async throws in
            let desk = try await Self.serviceDeskID(api)
            let ticket = try await api.open()
            for action in ["assign", "take", "escalate", "resolve"] {
                let response = try await api.act(action, on: ticket, as: "requester", body: #"{"team_id":\#(desk),"reason":"r"}"#)
                #expect(response.status == .forbidden, "\(action)")
            }
        }
    }

    @Test("actions missing their fields list every missing field with 422")
    func missingFields() async throws {
        try await withAPI { api async throws in
            let desk = try await Self.serviceDeskID(api)
            var ticket = try await api.open()
            ticket = try await Self.expectDone(api, "assign", on: ticket, body: #"{"team_id":\#(desk)}"#)
            ticket = try await Self.expectDone(api, "take", on: ticket)
            let response = try await api.act("resolve", on: ticket, body: #"{"solution":"done"}"#)
            #expect(response.status == .unprocessableContent)
            let fields = (response.problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(Set(fields) == ["resolution_code", "resolution_mode"])
            let blank = try await api.act("pend", on: ticket, body: #"{"reason":"   "}"#)
            #expect(blank.status == .unprocessableContent)
        }
    }
}
