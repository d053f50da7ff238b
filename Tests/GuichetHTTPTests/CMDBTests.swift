import Foundation
import GuichetDomain
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Testing

@Suite("The fleet through the API: configuration items, relations, impact, search, history")
struct CMDBTests {
    /// Creates a CI as the demo agent and returns it.
    static func create(_ api: APIHarness, _ fields: String) async throws -> CIView {
        let response = try await api.call(.post, "/api/v1/cis", as: "agent", body: "{\(fields)}")
        #expect(response.status == .created, "\(fields): \(response.text)")
        return try response.decode(CIView.self)
    }

    @Test("a lycée's network: the router takes everything with it; one core switch of two takes nothing; a switch with one uplink falls with it")
    func impactWithRedundancy() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let at = #""establishment":"\#(uai)""#
            let router = try await Self.create(api, #""class":"router","name":"RTR-01",\#(at)"#)
            let coreA = try await Self.create(api, #""class":"core_switch","name":"CORE-A",\#(at),"connected_to":"RTR-01""#)
            _ = try await Self.create(api, #""class":"core_switch","name":"CORE-B",\#(at),"connected_to":"RTR-01""#)
            let access = try await Self.create(api, #""class":"access_switch","name":"SW-B-01",\#(at),"connected_to":"CORE-A; CORE-B","minimum_up":1"#)
            let single = try await Self.create(api, #""class":"access_switch","name":"SW-C-01",\#(at),"connected_to":"CORE-A""#)
            let pc = try await Self.create(api, #""class":"desktop","name":"PC-B012-01",\#(at),"room":"B012","connected_to":"SW-B-01""#)
            _ = try await Self.create(api, #""class":"access_point","name":"AP-B-01",\#(at),"connected_to":"SW-B-01""#)
            let wifi = try await Self.create(api, #""class":"business_service","name":"Wi-Fi du bâtiment B",\#(at),"runs_on":"AP-B-01""#)

            let all = try await api.call(.get, "/api/v1/cis/\(router.id)/impact", as: "agent").decode(ImpactView.self)
            #expect(Set(all.items.map(\.ci.name)) == ["CORE-A", "CORE-B", "SW-B-01", "SW-C-01", "PC-B012-01", "AP-B-01", "Wi-Fi du bâtiment B"])
            #expect(all.businessServices.map(\.id) == [wifi.id])
            #expect(all.establishments.map(\.code) == [uai])
            let wifiPath = try #require(all.items.first { $0.ci.id == wifi.id })
            #expect(wifiPath.path.first == router.id && wifiPath.path.last == wifi.id && wifiPath.kind == .runsOn)
            #expect(wifiPath.path.dropFirst().allSatisfy { id in all.items.contains { $0.ci.id == id } }, "a path names CIs of the analysis")

            let oneCore = try await api.call(.get, "/api/v1/cis/\(coreA.id)/impact?direction=down", as: "agent").decode(ImpactView.self)
            #expect(oneCore.items.map(\.ci.id) == [single.id], "SW-B-01 holds on CORE-B; SW-C-01 has no other uplink")

            let causes = try await api.call(.get, "/api/v1/cis/\(pc.id)/impact?direction=up", as: "agent").decode(ImpactView.self)
            #expect(causes.items.first?.ci.id == access.id)
            #expect(Set(causes.items.map(\.ci.name)) == ["SW-B-01", "CORE-A", "CORE-B", "RTR-01"])

            let shown = try await api.call(.get, "/api/v1/cis/\(access.id)", as: "agent").decode(CIView.self)
            #expect(shown.relations?.filter { $0.side == .dependsOn }.map(\.ci.name).sorted() == ["CORE-A", "CORE-B"])
            #expect(shown.relations?.filter { $0.side == .dependent }.map(\.ci.name).sorted() == ["AP-B-01", "PC-B012-01"])
            #expect(try await api.call(.get, "/api/v1/cis/\(router.id)/impact?depth=0", as: "agent").status == .badRequest)
            #expect(try await api.call(.get, "/api/v1/cis/\(router.id)/impact?direction=sideways", as: "agent").status == .badRequest)
        }
    }

    @Test("search finds by name without accents or case, by serial, room and MAC address, by the start of the IP address, word by word")
    func search() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let screen = try await Self.create(
                api, #""class":"interactive_display","name":"Écran interactif Salle Condorcet","establishment":"\#(uai)","room":"C-104","serial":"SN-77-XQ""#
            )
            let printer = try await Self.create(api, #""class":"printer","name":"Copieur vie scolaire","ip":"10.44.3.21","mac":"00:1B:44:11:3A:B7""#)
            func found(_ query: String) async throws -> [Int64] {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? query
                return try await api.call(.get, "/api/v1/cis?q=\(encoded)", as: "agent").decode(CIPage.self).items.map(\.id)
            }
            #expect(try await found("ecran condorcet") == [screen.id])
            #expect(try await found("ÉCRAN") == [screen.id])
            #expect(try await found("sn-77") == [screen.id])
            #expect(try await found("c-104") == [screen.id])
            #expect(try await found("10.44.3") == [printer.id])
            #expect(try await found("10.44.3.21") == [printer.id])
            #expect(try await found("44.3").isEmpty, "an address is found from its start")
            #expect(try await found("00:1b:44") == [printer.id])
            #expect(try await found("ecran copieur").isEmpty, "every word must match")
            #expect(try await found("100%").isEmpty, "a % is a character, not a wildcard")
            let printers = try await api.call(.get, "/api/v1/cis?class=printer", as: "agent").decode(CIPage.self)
            #expect(printers.items.map(\.id) == [printer.id])
            #expect(try await api.call(.get, "/api/v1/cis?class=toaster", as: "agent").status == .badRequest)
            #expect(try await api.call(.get, "/api/v1/cis?cursor=forged", as: "agent").status == .unprocessableContent)
        }
    }

    @Test("a bad CI is refused field by field and nothing is stored; a change needs the current version")
    func refusals() async throws {
        try await withAPI { api async throws in
            let badIP = try await api.call(.post, "/api/v1/cis", as: "agent", body: #"{"class":"server","name":"SRV-1","ip":"10.0.0.300"}"#)
            #expect(badIP.status == .unprocessableContent && badIP.text.contains("ip"), "\(badIP.text)")
            let badPlace = try await api.call(.post, "/api/v1/cis", as: "agent", body: #"{"class":"server","name":"SRV-1","establishment":"9999999Z"}"#)
            #expect(badPlace.status == .unprocessableContent && badPlace.text.contains("9999999Z"), "\(badPlace.text)")
            let badLink = try await api.call(.post, "/api/v1/cis", as: "agent", body: #"{"class":"server","name":"SRV-1","connected_to":"NOWHERE"}"#)
            #expect(badLink.status == .unprocessableContent && badLink.text.contains("NOWHERE"), "\(badLink.text)")
            #expect(try await api.call(.post, "/api/v1/cis", as: "agent", body: #"{"class":"toaster","name":"T"}"#).status == .unprocessableContent)
            #expect(try await api.call(.post, "/api/v1/cis", as: "agent", body: #"{"name":"no class"}"#).status == .unprocessableContent)
            #expect(try await api.call(.get, "/api/v1/cis?q=SRV-1", as: "agent").decode(CIPage.self).items.isEmpty, "nothing was stored")

            let server = try await Self.create(api, #""class":"server","name":"SRV-1","brand":"Dell""#)
            #expect(try await api.call(.patch, "/api/v1/cis/\(server.id)", as: "agent", body: #"{"status":"repair"}"#).status == .preconditionRequired)
            let changed = try await api.call(.patch, "/api/v1/cis/\(server.id)", as: "agent", body: #"{"status":"repair","brand":""}"#, headers: [.ifMatch: "\"1\""])
            #expect(changed.status == .ok, "\(changed.text)")
            let after = try changed.decode(CIView.self)
            #expect(after.status == .repair && after.brand == nil && after.version == 2 && after.name == "SRV-1")
            let stale = try await api.call(.patch, "/api/v1/cis/\(server.id)", as: "agent", body: #"{"status":"production"}"#, headers: [.ifMatch: "\"1\""])
            #expect(stale.status == .preconditionFailed)
        }
    }

    @Test("the audit log holds each CI's creation and change, before and after, with who made them")
    func history() async throws {
        try await withAPI { api async throws in
            let ci = try await Self.create(api, #""class":"laptop","name":"PORT-CDI-03","serial":"5CG1234""#)
            _ = try await api.call(.patch, "/api/v1/cis/\(ci.id)", as: "agent", body: #"{"status":"stock"}"#, headers: [.ifMatch: "\"1\""])
            let log = try await api.call(.get, "/api/v1/audit?object_type=ci&object_id=\(ci.id)", as: "administrator")
            #expect(log.status == .ok, "\(log.text)")
            let entries = try log.decode(AuditPageView.self).items
            #expect(entries.map(\.kind) == ["ci.updated", "ci.created"])
            let agent = api.template.account("agent").personId
            #expect(entries.allSatisfy { $0.actorId == agent })
            let update = try #require(entries.first)
            #expect(update.before?.contains("production") == true && update.before?.contains("stock") == false)
            #expect(update.after?.contains("stock") == true)
        }
    }

    @Test("a CI's tickets are listed within the caller's perimeter")
    func tickets() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let ci = try await Self.create(api, #""class":"printer","name":"IMP-SALLE-12","establishment":"\#(uai)""#)
            let ticket = try await api.open()
            try await api.database.client.query("INSERT INTO ticket_cis (ticket_id, ci_id) VALUES (\(ticket.id), \(ci.id))")
            let listed = try await api.call(.get, "/api/v1/cis/\(ci.id)/tickets", as: "requester")
            #expect(listed.status == .ok)
            #expect(try listed.decode(CITicketList.self).items.map(\.ref) == [ticket.ref])
        }
    }

    struct CITicketList: Decodable {
        let items: [CITicketView]
    }

    struct AuditPageView: Decodable {
        let items: [AuditEntryView]
    }
}

@Suite("Tickets and their equipment")
struct TicketCITests {
    @Test("a ticket opened with its equipment shows it; staff link and unlink more, each in the history; a CI outside the perimeter is refused")
    func links() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let mine = try await CMDBTests.create(api, #""class":"printer","name":"IMP-CDI","establishment":"\#(uai)""#)
            let elsewhere = try await CMDBTests.create(api, #""class":"server","name":"SRV-DC-01""#)
            let refused = try await api.call(
                .post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"Bourrage","cis":[\#(elsewhere.id)]}"#
            )
            #expect(refused.status == .unprocessableContent && !refused.text.contains("SRV-DC-01"), "\(refused.text)")
            let opened = try await api.call(.post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"Bourrage papier","cis":[\#(mine.id)]}"#)
            #expect(opened.status == .created, "\(opened.text)")
            let ticket = try opened.decode(TicketView.self)
            let readResponse = try await api.call(.get, "/api/v1/tickets/\(ticket.id)", as: "requester")
            #expect(readResponse.status == .ok, "\(readResponse.text)")
            let read = try readResponse.decode(TicketView.self)
            #expect(read.cis?.map(\.name) == ["IMP-CDI"])

            #expect(try await api.call(.post, "/api/v1/tickets/\(ticket.id)/cis", as: "requester", body: #"{"ci_id":\#(mine.id)}"#).status == .forbidden)
            let linked = try await api.call(.post, "/api/v1/tickets/\(ticket.id)/cis", as: "agent", body: #"{"ci_id":\#(elsewhere.id)}"#)
            #expect(linked.status == .created, "\(linked.text)")
            #expect(try await api.call(.get, "/api/v1/tickets/\(ticket.id)", as: "requester").decode(TicketView.self).cis?.map(\.name) == ["IMP-CDI"],
                "the requester does not see the datacentre's server")
            #expect(try await api.call(.get, "/api/v1/tickets/\(ticket.id)", as: "agent").decode(TicketView.self).cis?.count == 2)
            #expect(try await api.call(.delete, "/api/v1/tickets/\(ticket.id)/cis/\(mine.id)", as: "agent").status == .noContent)
            #expect(try await api.call(.delete, "/api/v1/tickets/\(ticket.id)/cis/\(mine.id)", as: "agent").status == .notFound)
            let historyResponse = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: "agent")
            let history = try historyResponse.decode(TicketsHistory.self)
            #expect(history.items.map(\.kind).filter { $0.hasPrefix("ci_") } == ["ci_linked", "ci_linked", "ci_unlinked"])
            let onCIResponse = try await api.call(.get, "/api/v1/cis/\(elsewhere.id)/tickets", as: "agent")
            let onCI = try onCIResponse.decode(CMDBTests.CITicketList.self)
            #expect(onCI.items.map(\.id) == [ticket.id])
        }
    }

    struct TicketsHistory: Decodable {
        let items: [EventView]
    }
}

@Suite("The fleet's pages")
struct CIPageTests {
    @Test("a CI's page shows what it is, its relations, what fails with it (drawn and listed) and its tickets; the ticket page names its equipment and the impact")
    func pages() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let at = #""establishment":"\#(uai)""#
            let core = try await CMDBTests.create(api, #""class":"core_switch","name":"CORE-<b>1</b>",\#(at)"#)
            _ = try await CMDBTests.create(api, #""class":"access_switch","name":"SW-B-01",\#(at),"room":"B001","connected_to":"\#(core.id)""#)
            _ = try await CMDBTests.create(api, #""class":"desktop","name":"PC-B101-01",\#(at),"connected_to":"SW-B-01""#)
            _ = try await CMDBTests.create(api, #""class":"business_service","name":"Wi-Fi du bâtiment B",\#(at),"runs_on":"SW-B-01""#)
            let ticket = try await api.open(as: "requester", body: #"{"kind":"incident","title":"Plus de réseau en B","cis":[\#(core.id)]}"#)

            var agent = try await WebBrowser.signedIn(api, as: "agent")
            let page = try await agent.get("/cis/\(core.id)")
            #expect(page.status == .ok)
            #expect(page.text.contains("CORE-&lt;b&gt;1&lt;/b&gt;") && !page.text.contains("CORE-<b>1</b>"), "names are escaped, in the page and the drawing")
            #expect(page.text.contains("commutateur de cœur") && page.text.contains("Dessert"), "French words for the class and the relation")
            #expect(page.text.contains("Sa panne entraîne celle de 3 équipements") && page.text.contains("Wi-Fi du bâtiment B"))
            #expect(page.text.contains("<svg") && page.text.contains("href=\"/cis/"), "the drawing links each CI to its page")
            #expect(page.text.contains(ticket.ref), "its tickets are listed")

            let ticketPage = try await agent.get("/tickets/\(ticket.ref)")
            #expect(ticketPage.text.contains("id=\"equipment\"") && ticketPage.text.contains("Sa panne entraîne celle de 3 équipements"))

            let elsewhere = try await CMDBTests.create(api, #""class":"server","name":"SRV-DC-09""#)
            #expect(ticketPage.text.contains(#"id="link-ci""#), "staff link equipment from the ticket page")
            let typed = try await agent.post("/tickets/\(ticket.ref)/cis", ["equipment": "srv-dc-09"])
            #expect(typed.status == .seeOther, "words naming one CI link it without the page's script")
            let vague = try await agent.post("/tickets/\(ticket.ref)/cis", ["equipment": "01"])
            #expect(vague.status == .unprocessableContent && vague.text.contains("id=\"errors\""), "words naming several say to choose")
            let linked = try await agent.get("/tickets/\(ticket.ref)?done=ci_linked")
            #expect(linked.text.contains("SRV-DC-09") && linked.text.contains("/cis/\(elsewhere.id)/unlink"))
            #expect(try await agent.post("/tickets/\(ticket.ref)/cis/\(elsewhere.id)/unlink", [:]).status == .seeOther)
            #expect(try await api.ticket(try await WebPortalTests.ticketID(api, ref: ticket.ref)).cis?.map(\.id) == [core.id], "unlinked again")
            var requester = try await WebBrowser.signedIn(api, as: "requester")
            let own = try await requester.get("/tickets/\(ticket.ref)")
            #expect(own.text.contains("CORE-&lt;b&gt;1&lt;/b&gt;") && !own.text.contains(#"id="link-ci""#), "the requester sees the equipment, links none")
            #expect(try await requester.post("/tickets/\(ticket.ref)/cis", ["ci": "\(elsewhere.id)"]).status == .forbidden)
            #expect(try await requester.get("/cis/\(elsewhere.id)").status == .notFound, "outside the perimeter: not found")
            #expect(try await requester.get("/cis/\(core.id)").status == .ok, "the requester's establishment's equipment")
        }
    }
}
