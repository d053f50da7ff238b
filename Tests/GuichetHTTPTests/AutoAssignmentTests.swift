import Foundation
import GuichetServices
import GuichetTestSupport
import Testing

@Suite("Auto-assignment through the API")
struct AutoAssignmentTests {
    /// Reads the ticket until it is in progress (or the deadline passes) and returns it.
    static func waitUntilInProgress(_ api: APIHarness, id: Int64) async throws -> TicketView {
        let deadline = ContinuousClock.now + .seconds(30)
        var ticket = try await api.ticket(id, as: "requester")
        while ticket.status != .inProgress && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            ticket = try await api.ticket(id, as: "requester")
        }
        return ticket
    }

    @Test("a ticket opened by a requester is in progress with its département's field team and an agent, with each step in its history")
    func openedTicketIsDispatched() async throws {
        try await withAPI(worker: true) { api async throws in
            let started = ContinuousClock.now
            let opened = try await api.open(body: #"{"kind":"incident","title":"Poste bloqué au CDI","service":"poste-travail","impact":2,"urgency":1}"#)
            #expect(opened.status == .new)
            #expect(opened.priority == "P2")
            let ticket = try await Self.waitUntilInProgress(api, id: opened.id)
            let elapsed = ContinuousClock.now - started
            #expect(ticket.status == .inProgress)
            #expect(ticket.team?.code == "PROX-45")
            let agent = try #require(ticket.agent)
            #expect(ticket.takenAt != nil)

            let history = try await api.call(.get, "/api/v1/tickets/\(opened.id)/history", as: "requester").decode(HistoryPage.self)
            #expect(history.items.map(\.kind) == ["created", "assigned", "taken"])
            #expect(history.items[1].changes["team_id"]?.to == String(ticket.team!.id))
            #expect(history.items[2].changes["agent_id"]?.to == String(agent.id))
            #expect(history.items[2].changes["status"] == .init(from: "assigned", to: "in_progress"))
            #expect(history.items[1].actor == nil, "dispatch is done by Guichet itself")
            print("dispatch: create -> in_progress took \(elapsed)")
        }
    }

    @Test("network incidents go to the network team; tickets no rule matches go to the service desk")
    func routingRules() async throws {
        try await withAPI(worker: true) { api async throws in
            let network = try await api.open(body: #"{"kind":"incident","title":"Plus de Wi-Fi au bâtiment C","service":"reseau"}"#)
            let other = try await api.open(body: #"{"kind":"request","title":"Nouveau compte pour un stagiaire","service":"compte"}"#)
            #expect(try await Self.waitUntilInProgress(api, id: network.id).team?.code == "N2-NET")
            #expect(try await Self.waitUntilInProgress(api, id: other.id).team?.code == "SD")
        }
    }

    @Test("an incident naming failed hardware goes to the field team where it is, whatever the service; a network device to the network team")
    func routingByEquipment() async throws {
        try await withAPI(worker: true) { api async throws in
            let uai = api.template.account("requester").organizationCode
            let pc = try await CMDBTests.create(api, #""class":"desktop","name":"PC-CDI-04","establishment":"\#(uai)""#)
            let ap = try await CMDBTests.create(api, #""class":"access_point","name":"AP-CDI","establishment":"\#(uai)""#)
            let mail = #"{"kind":"incident","title":"La messagerie ne s'ouvre plus","service":"messagerie""#
            let plain = try await api.open(body: mail + "}")
            let onPC = try await api.open(body: mail + #","cis":[\#(pc.id)]}"#)
            let onAP = try await api.open(body: #"{"kind":"incident","title":"Plus de Wi-Fi au CDI","service":"messagerie","cis":[\#(ap.id)]}"#)
            let asked = try await api.open(body: #"{"kind":"request","title":"Installer un logiciel","service":"messagerie","cis":[\#(pc.id)]}"#)
            #expect(try await Self.waitUntilInProgress(api, id: plain.id).team?.code == "SD", "software without equipment: the service desk")
            #expect(try await Self.waitUntilInProgress(api, id: onPC.id).team?.code == "PROX-45", "the PC's département's field team")
            #expect(try await Self.waitUntilInProgress(api, id: onAP.id).team?.code == "N2-NET")
            #expect(try await Self.waitUntilInProgress(api, id: asked.id).team?.code == "SD", "a request is no failure")
        }
    }

    @Test("tickets are spread over the team's agents, least loaded first")
    func spreadsLoad() async throws {
        try await withAPI(worker: true) { api async throws in
            var agents: [Int64] = []
            for index in 0..<4 {
                let opened = try await api.open(body: #"{"kind":"incident","title":"Imprimante \#(index) en panne","service":"imprimante"}"#)
                let ticket = try await Self.waitUntilInProgress(api, id: opened.id)
                agents.append(try #require(ticket.agent?.id))
            }
            // the Loiret field team has two agents: each gets two tickets
            #expect(Set(agents).count == 2)
            #expect(agents.filter { $0 == agents[0] }.count == 2)
        }
    }
}

struct HistoryPage: Decodable {
    let items: [EventView]
}
