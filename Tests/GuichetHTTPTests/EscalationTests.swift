import Foundation
import GuichetDomain
import GuichetQueue
import GuichetServices
import GuichetStore
import GuichetTestSupport
import PostgresNIO
import Testing

@Suite("Escalations and automatic closing")
struct EscalationTests {
    /// The people a kind of notification went to about a ticket.
    static func recipients(_ api: APIHarness, _ ticket: TicketView, kind: String) async throws -> Set<Int64> {
        let rows = try await api.database.client.query("SELECT person_id FROM notifications WHERE ticket_id = \(ticket.id) AND kind = \(kind)")
        var people: Set<Int64> = []
        for try await id in rows.decode(Int64.self) { people.insert(id) }
        return people
    }

    static func ids(_ api: APIHarness, _ query: PostgresQuery) async throws -> Set<Int64> {
        var people: Set<Int64> = []
        for try await id in try await api.database.client.query(query).decode(Int64.self) { people.insert(id) }
        return people
    }

    @Test("a critical incident is mailed at once to the agents on call")
    func criticalToOnCall() async throws {
        try await withAPI { api async throws in
            let onCall = try await Self.ids(api, "SELECT person_id FROM team_members WHERE on_call")
            let leads = try await Self.ids(
                api,
                "SELECT m.person_id FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.role = 'lead' AND t.code IN ('SD', 'N2-SYS', 'N2-NET')"
            )
            #expect(!onCall.isEmpty && onCall == leads, "the demo puts the leads of the service desk and of both level-2 teams on call")
            let critical = try await SLATests.open(api, clock: TestClock(Date()), impact: 1, urgency: 1)
            #expect(try await Self.recipients(api, critical, kind: "critical_opened") == onCall)
            let ordinary = try await SLATests.open(api, clock: TestClock(Date()), impact: 3, urgency: 3)
            #expect(try await Self.recipients(api, ordinary, kind: "critical_opened").isEmpty)
        }
    }

    @Test("time to own running out warns the team's leads, then its breach tells them again; a missed resolution goes to the managers")
    func deadlinesEscalate() async throws {
        try await withAPI { api async throws in
            let ticket = try await SLATests.open(api, clock: TestClock(SLATests.paris("2027-03-26", 16)), impact: 2, urgency: 2)
            let desk = try await TicketActionTests.serviceDeskID(api)
            let leads = try await Self.ids(api, "SELECT person_id FROM team_members WHERE team_id = \(desk) AND role = 'lead'")
            #expect(!leads.isEmpty)
            func fire(_ metric: SLAMetric, _ level: SLATimer.Level, due: Date) async throws -> SLAService.FireOutcome {
                try await SLAService(database: api.database, notifier: JobNotifier(client: api.database.client, logger: TestDatabase.logger), logger: TestDatabase.logger, clock: WallClock { due }).fire(
                    SLATimer(ticketId: ticket.id, metric: metric, level: level, dueMs: SLATimer.milliseconds(due))
                )
            }
            #expect(try await fire(.timeToOwn, .warning, due: SLATests.paris("2027-03-30", 9)) == .recorded)
            #expect(try await Self.recipients(api, ticket, kind: "ownership_warning") == leads, "a ticket nobody dispatched is the service desk's")
            #expect(try await fire(.timeToOwn, .breach, due: SLATests.paris("2027-03-30", 10)) == .recorded)
            #expect(try await Self.recipients(api, ticket, kind: "ownership_breached") == leads)
            #expect(try await fire(.timeToResolve, .breach, due: SLATests.paris("2027-04-01", 16)) == .recorded)
            let managers = try await Self.ids(api, "SELECT person_id FROM accounts WHERE 'admin' = ANY(roles)")
            #expect(try await Self.recipients(api, ticket, kind: "resolution_breached") == managers)
            #expect(try await api.ticket(ticket.id).slaBreached)
        }
    }

    @Test("resolved tickets close by themselves after the delay unless the requester answered; the requester is told")
    func autoClose() async throws {
        try await withAPI { api async throws in
            let clock = TestClock(SLATests.paris("2027-03-01", 9))
            let service = TicketService(
                database: api.database, notifier: JobNotifier(client: api.database.client, logger: TestDatabase.logger),
                logger: TestDatabase.logger, clock: clock.wall
            )
            let agent = SLATests.principal(api, "agent", [.agent])
            let desk = try await TicketActionTests.serviceDeskID(api)
            func resolved() async throws -> TicketView {
                var ticket = try await SLATests.open(api, clock: clock, impact: 3, urgency: 3)
                ticket = try await service.perform(.assign(teamID: desk), on: "\(ticket.id)", expectedVersion: ticket.version, by: agent)
                ticket = try await service.perform(.take(agentID: agent.personID), on: "\(ticket.id)", expectedVersion: ticket.version, by: agent)
                let resolution = Resolution(code: "fixed", solution: "Redémarré", mode: .remote)
                return try await service.perform(.resolve(resolution), on: "\(ticket.id)", expectedVersion: ticket.version, by: agent)
            }
            let silent = try await resolved()
            let answered = try await resolved()
            clock.set(SLATests.paris("2027-03-02", 9))
            _ = try await service.comment(CommentRequest(body: "Toujours en panne"), on: "\(answered.id)", by: SLATests.principal(api, "requester", [.requester]))
            clock.set(SLATests.paris("2027-03-09", 9))
            let recent = try await resolved()

            clock.set(SLATests.paris("2027-03-12", 9))
            #expect(try await service.closeResolved(after: .seconds(10 * 86_400)) == 1)
            #expect(try await api.ticket(silent.id).status == .closed)
            #expect(try await api.ticket(answered.id).status == .resolved, "the requester answered after the resolution")
            #expect(try await api.ticket(recent.id).status == .resolved, "resolved three days ago")
            let history = try await api.call(.get, "/api/v1/tickets/\(silent.id)/history", as: "requester").decode(HistoryPage.self)
            #expect(history.items.last?.kind == "closed")
            #expect(history.items.last?.actor == nil)
            #expect(history.items.last?.note?.contains("10 days") == true)
            #expect(try await Self.recipients(api, silent, kind: "closed") == [api.template.account("requester").personId])
            #expect(try await service.closeResolved(after: .seconds(10 * 86_400)) == 0, "nothing left to close")
        }
    }
}
