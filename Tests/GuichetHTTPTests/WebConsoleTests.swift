import Foundation
import GuichetDomain
import GuichetServices
import GuichetStore
import GuichetTestSupport
import HTTPTypes
import Testing

@testable import GuichetHTTP

@Suite("Web console: queues, actions, live updates, phone calls")
struct WebConsoleTests {
    @Test("the console lists open tickets most urgent first with their SLA time left; it is not for requesters")
    func queues() async throws {
        try await withAPI { api async throws in
            let minor = try await api.open(body: #"{"kind":"request","title":"Nouvelle souris","urgency":3,"impact":3}"#)
            let critical = try await api.open(as: "agent", body: #"{"kind":"incident","title":"Réseau coupé","urgency":1,"impact":1,"requester_id":\#(api.template.account("requester").personId)}"#)
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            let page = try await agent.get("/console?queue=open")
            #expect(page.status == .ok)
            let criticalAt = try #require(page.text.range(of: #"data-ref="\#(critical.ref)""#))
            let minorAt = try #require(page.text.range(of: #"data-ref="\#(minor.ref)""#))
            #expect(criticalAt.lowerBound < minorAt.lowerBound, "P1 before P4")
            #expect(page.text.contains(#"class="sla sla-running""#), "a running clock shows its time left")
            let filtered = try await agent.get("/console?queue=open&priority=P1")
            #expect(filtered.text.contains(critical.ref) && !filtered.text.contains(minor.ref))
            let searched = try await agent.get("/console?queue=open&q=souris")
            #expect(searched.text.contains(minor.ref) && !searched.text.contains(critical.ref), "the text is searched in the titles")
            let rows = try await agent.get("/console/rows?queue=open")
            #expect(rows.text.contains(#"<tr data-ref="\#(critical.ref)""#), "the live script gets rows alone")
            #expect(!rows.text.contains("<html"))
            var requester = try await WebBrowser.signedIn(api, as: "requester")
            #expect(try await requester.get("/console").status == .forbidden)
            #expect(try await requester.get("/console/events").status == .forbidden)
        }
    }

    @Test("an agent takes, pends with a reason, resumes and resolves from the ticket page")
    func actions() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.openAtDesk()
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            let steps: [(String, [String: String], TicketStatus)] = [
                ("take", [:], .inProgress), ("pend", ["reason": "En attente du fournisseur"], .pending), ("resume", [:], .inProgress),
                ("resolve", ["resolution_code": "fixed", "solution": "Pilote réinstallé", "resolution_mode": "remote"], .resolved),
            ]
            for (action, fields, status) in steps {
                let page = try await agent.get("/tickets/\(ticket.ref)")
                #expect(page.text.contains(#"id="action-\#(action)""#), "\(action) is offered")
                let version = try await api.ticket(ticket.id).version
                var form = fields
                form["version"] = "\(version)"
                let done = try await agent.post("/tickets/\(ticket.ref)/actions/\(action)", form)
                #expect(done.status == .seeOther, "\(action): \(done.text.prefix(300))")
                #expect(try await api.ticket(ticket.id).status == status, "\(action)")
            }
            let resolved = try await api.ticket(ticket.id)
            #expect(resolved.resolution?.mode == .remote && resolved.agent?.id == api.template.account("agent").personId)
            let page = try await agent.get("/tickets/\(ticket.ref)")
            #expect(page.text.contains(#"id="history""#) && page.text.contains("En attente du fournisseur"))
        }
    }

    @Test("an action on a version changed meanwhile saves nothing and says so, with a reload")
    func staleVersion() async throws {
        try await withAPI { api async throws in
            var ticket = try await api.open()
            let desk = try await AccessMatrixTests.teamID(api, code: "SD")
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            try await agent.get("/tickets/\(ticket.ref)")
            let seen = ticket.version
            ticket = try await api.act("assign", on: ticket, body: #"{"team_id":\#(desk)}"#).decode(TicketView.self)
            let page = try await agent.post("/tickets/\(ticket.ref)/actions/take", ["version": "\(seen)"])
            #expect(page.status == .conflict && page.text.contains(#"id="conflict""#) && page.text.contains("Recharger"))
            #expect(try await api.ticket(ticket.id).status == .assigned, "the stale take changed nothing")
        }
    }

    @Test("an action missing its fields is refused with what is missing")
    func missingFields() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.openAtDesk(take: true)
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            try await agent.get("/tickets/\(ticket.ref)")
            let page = try await agent.post("/tickets/\(ticket.ref)/actions/pend", ["version": "\(ticket.version)"])
            #expect(page.status == .unprocessableContent && page.text.contains(#"id="errors""#) && page.text.contains("reason"))
            let resolve = try await agent.post("/tickets/\(ticket.ref)/actions/resolve", ["version": "\(ticket.version)", "solution": "Pilote réinstallé"])
            #expect(resolve.status == .unprocessableContent && resolve.text.contains("resolution_code"))
            #expect(resolve.text.contains(">Pilote réinstallé</textarea>"), "what was typed comes back")
            #expect(try await api.ticket(ticket.id).status == .inProgress)
        }
    }

    @Test("the live feed tells each subscriber of changes to the tickets its reader may see, whichever node made them")
    func liveFeed() async throws {
        try await withAPI { api async throws in
            let feed = LiveFeed(database: api.database, logger: TestDatabase.logger, interval: .milliseconds(50))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await feed.run() }
                defer { group.cancelAll() }
                let staff = feed.subscribe(scope: .all)
                let contractor = feed.subscribe(scope: .contractor(personID: api.template.account("contractor_agent").personId))
                // the feed starts from the newest entry once it has a subscriber
                try await Task.sleep(for: .milliseconds(300))
                let outside = try await api.openAtDesk(take: true)
                _ = try await api.act("pend", on: outside, body: #"{"reason":"En attente du fournisseur"}"#)
                var staffSaw: [String] = []
                for await kinds in staff {
                    staffSaw += kinds
                    if staffSaw.contains("pended") { break }
                }
                #expect(staffSaw.contains("created") && staffSaw.contains("pended"))
                _ = try await PerimeterTests.escalateToContractor(api, try await api.open())
                var contractorSaw: [String] = []
                for await kinds in contractor {
                    contractorSaw += kinds
                    if contractorSaw.contains("escalated") { break }
                }
                #expect(contractorSaw.contains("escalated"))
                #expect(!contractorSaw.contains("pended"), "the pended ticket is outside the contractor's perimeter: \(contractorSaw)")
            }
        }
    }

    @Test("an agent logs a call: finds the caller, opens the ticket on their behalf, origin phone")
    func phoneCall() async throws {
        try await withAPI { api async throws in
            let caller = api.template.account("requester")
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            let search = try await agent.get("/console/calls/new?q=\(WebBrowser.encode(String(caller.name.prefix(6))))")
            #expect(search.status == .ok && search.text.contains(#"value="\#(caller.personId)""#))
            let opened = try await agent.post(
                "/console/calls", ["q": caller.name, "caller": "\(caller.personId)", "service": "reseau", "kind": "incident", "title": "Plus de réseau au CDI", "impact": "2", "urgency": "1"]
            )
            #expect(opened.status == .seeOther)
            let ref = String(try #require(opened.location).dropFirst("/tickets/".count))
            let ticket = try await api.ticket(try await WebPortalTests.ticketID(api, ref: ref))
            #expect(ticket.origin == .phone && ticket.requester.id == caller.personId && ticket.impact == 2 && ticket.urgency == 1)
            let missing = try await agent.post("/console/calls", ["q": caller.name, "title": "Sans appelant"])
            #expect(missing.status == .unprocessableContent && missing.text.contains(#"id="caller-error""#))
            var requester = try await WebBrowser.signedIn(api, as: "requester")
            #expect(try await requester.get("/console/calls/new").status == .forbidden)
        }
    }
}
