import Foundation
import GuichetServices
import GuichetStore
import GuichetTestSupport
import HTTPTypes
import Testing

@Suite("Perimeters, field rules and token scopes")
struct PerimeterTests {
    @Test("a partner viewer reads the tickets of its perimeter but cannot open, comment or act")
    func partnerReadOnly() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open()
            try await Self.moveRequester(api, ofTicket: ticket.id, toType: "lycee")
            let path = "/api/v1/tickets/\(ticket.id)"
            #expect(try await api.call(.get, path, as: "partner_viewer").status == .ok)
            #expect(try await api.call(.post, path + "/comments", as: "partner_viewer", body: #"{"body":"Vu"}"#).status == .forbidden)
            let close = try await api.call(.post, path + "/actions/assign", as: "partner_viewer", body: "{}", headers: [.ifMatch: "\"\(ticket.version)\""])
            #expect(close.status == .forbidden)
            #expect(try await api.call(.post, "/api/v1/tickets", as: "partner_viewer", body: #"{"kind":"request","title":"x"}"#).status == .forbidden)
            #expect(try await api.ticket(ticket.id).version == ticket.version, "nothing changed")
        }
    }

    @Test("internal notes are hidden from partners and requesters, shown to contractors on their escalations")
    func internalNotes() async throws {
        try await withAPI { api async throws in
            var ticket = try await api.open()
            try await Self.moveRequester(api, ofTicket: ticket.id, toType: "lycee")
            #expect(try await api.call(.post, "/api/v1/tickets/\(ticket.id)/comments", as: "agent", body: #"{"body":"Switch douteux","visibility":"internal"}"#).status == .created)
            ticket = try await Self.escalateToContractor(api, ticket)
            for (role, seesNote) in [("partner_viewer", false), ("requester", false), ("contractor_agent", true), ("agent", true)] {
                let history = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: role)
                #expect(history.status == .ok, "\(role)")
                #expect(history.text.contains("Switch douteux") == seesNote, "\(role) and the internal note")
            }
        }
    }

    @Test("a contractor's agent works only the tickets escalated to its team, takes them for themselves only, and keeps seeing them after")
    func contractor() async throws {
        try await withAPI { api async throws in
            let other = try await api.open()
            #expect(try await api.call(.get, "/api/v1/tickets/\(other.id)", as: "contractor_agent").status == .notFound)
            var ticket = try await Self.escalateToContractor(api, try await api.open())
            let contractor = api.template.account("contractor_agent").personId
            let forSomeoneElse = try await api.act("take", on: ticket, as: "contractor_agent", body: #"{"agent_id":\#(api.template.account("agent").personId)}"#)
            #expect(forSomeoneElse.status == .forbidden)
            #expect(try await api.act("assign", on: ticket, as: "contractor_agent", body: #"{"team_id":1}"#).status == .forbidden)
            ticket = try await api.act("take", on: ticket, as: "contractor_agent").decode(TicketView.self)
            #expect(ticket.agent?.id == contractor)
            ticket = try await api.act(
                "resolve", on: ticket, as: "contractor_agent", body: #"{"resolution_code":"fixed","solution":"Câble remplacé","resolution_mode":"on_site"}"#
            ).decode(TicketView.self)
            #expect(ticket.status == .resolved)
            // formerly escalated: still visible after it left the contractor's hands
            ticket = try await api.act("reopen", on: ticket, as: "requester", body: #"{"reason":"Toujours en panne"}"#).decode(TicketView.self)
            #expect(try await api.call(.get, "/api/v1/tickets/\(ticket.id)", as: "contractor_agent").status == .ok)
        }
    }

    @Test("a contractor's agent works a ticket only while it is with their team, and past taking it only if they hold it")
    func contractorWritesOnlyWhatTheyHold() async throws {
        try await withAPI { api async throws in
            var ticket = try await Self.escalateToContractor(api, try await api.open())
            let resolve = try await api.act(
                "resolve", on: ticket, as: "contractor_agent", body: #"{"resolution_code":"fixed","solution":"x","resolution_mode":"on_site"}"#
            )
            #expect(resolve.status == .forbidden, "not taken yet: \(resolve.text)")
            let desk = try await AccessMatrixTests.teamID(api, code: "SD")
            ticket = try await api.act("assign", on: ticket, body: #"{"team_id":\#(desk)}"#).decode(TicketView.self)
            #expect(try await api.call(.get, "/api/v1/tickets/\(ticket.id)", as: "contractor_agent").status == .ok, "formerly escalated: still readable")
            let comment = try await api.call(.post, "/api/v1/tickets/\(ticket.id)/comments", as: "contractor_agent", body: #"{"body":"Encore là"}"#)
            #expect(comment.status == .forbidden, "back with the service desk: read-only for the contractor")
            #expect(try await api.act("take", on: ticket, as: "contractor_agent").status == .forbidden)
        }
    }

    @Test("nobody sets the team, agent, priority or organisation of a new ticket; a requester opens only for their own establishment")
    func fieldRules() async throws {
        try await withAPI { api async throws in
            let refused = try await api.call(
                .post, "/api/v1/tickets", as: "requester",
                body: #"{"kind":"incident","title":"Réseau","priority":"P1","team_id":1,"agent_id":2,"organization_id":3}"#
            )
            #expect(refused.status == .unprocessableContent)
            let fields = (refused.problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(Set(fields) == ["priority", "team_id", "agent_id", "organization_id"])
            var other = ""
            let rows = try await api.database.client.query(
                "SELECT code FROM organizations WHERE kind = 'establishment' AND code <> \(api.template.account("requester").organizationCode) LIMIT 1"
            )
            for try await code in rows.decode(String.self) { other = code }
            let elsewhere = try await api.call(.post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"Réseau","establishment":"\#(other)"}"#)
            #expect(elsewhere.status == .unprocessableContent)
            #expect(try await api.call(.get, "/api/v1/tickets", as: "agent").decode(TicketPage.self).items.isEmpty, "nothing was opened")
        }
    }

    @Test("a read-scoped token reads but cannot write; an expired token is refused; admin routes need the admin scope")
    func scopes() async throws {
        try await withAPI { api async throws in
            let agent = api.template.account("agent").personId
            let (readOnly, expired, adminWithoutScope) = try await api.database.client.withConnection { connection in
                let directory = DirectoryRepository(connection: connection, logger: TestDatabase.logger)
                let readOnly = try await directory.issueToken(personID: agent, label: "read", scopes: [.read], expiresAt: nil).token
                let expired = try await directory.issueToken(personID: agent, label: "old", scopes: [.read], expiresAt: Date().addingTimeInterval(-60)).token
                let admin = try await directory.issueToken(
                    personID: api.template.account("administrator").personId, label: "rw", scopes: [.read, .write], expiresAt: nil
                ).token
                return (readOnly, expired, admin)
            }
            #expect(try await api.call(.get, "/api/v1/tickets", token: readOnly).status == .ok)
            let write = try await api.call(.post, "/api/v1/tickets", token: readOnly, body: #"{"kind":"request","title":"x"}"#)
            #expect(write.status == .forbidden)
            #expect(try await api.call(.get, "/api/v1/tickets", token: expired).status == .unauthorized)
            #expect(try await api.call(.get, "/api/v1/webhooks", token: adminWithoutScope).status == .forbidden)
            #expect(try await api.call(.get, "/api/v1/webhooks", as: "administrator").status == .ok)
        }
    }

    /// Moves the requester of a ticket's establishment to one of `type`, so that it falls inside or
    /// outside a partner's perimeter.
    static func moveRequester(_ api: APIHarness, ofTicket id: Int64, toType type: String) async throws {
        try await api.database.client.query(
            """
            UPDATE tickets SET establishment_id = (SELECT id FROM organizations WHERE establishment_type = \(type) ORDER BY id LIMIT 1)
            WHERE id = \(id)
            """
        )
    }

    static func escalateToContractor(_ api: APIHarness, _ ticket: TicketView) async throws -> TicketView {
        let desk = try await AccessMatrixTests.teamID(api, code: "SD")
        let contractor = try await AccessMatrixTests.teamID(api, code: "PRESTA")
        var ticket = try await api.act("assign", on: ticket, body: #"{"team_id":\#(desk)}"#).decode(TicketView.self)
        ticket = try await api.act("take", on: ticket).decode(TicketView.self)
        return try await api.act("escalate", on: ticket, body: #"{"team_id":\#(contractor),"reason":"Câblage"}"#).decode(TicketView.self)
    }
}
