import Foundation
import GuichetDomain
import GuichetQueue
import GuichetServices
import GuichetStore
import GuichetTestSupport
import Synchronization
import Testing

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) { current = Mutex(start) }

    func set(_ moment: Date) { current.withLock { $0 = moment } }

    var wall: WallClock { WallClock { self.current.withLock { $0 } } }
}

@Suite("SLA clocks and timers")
struct SLATests {
    static let paris = TimeZone(identifier: "Europe/Paris")!
    static let office = BusinessCalendar.officeHours(timeZone: paris, from: 450, to: 1050)

    /// A Paris wall-clock time.
    static func paris(_ date: String, _ hour: Int, _ minute: Int = 0) -> Date {
        office.instant(LocalDate(date)!, minutes: hour * 60 + minute)
    }

    static func principal(_ api: APIHarness, _ role: String, _ roles: Set<Role>) -> Principal {
        Principal(personID: api.template.account(role).personId, organizationID: 0, roles: roles)
    }

    static func open(_ api: APIHarness, clock: TestClock, impact: Int, urgency: Int) async throws -> TicketView {
        let service = TicketService(
            database: api.database, notifier: JobNotifier(client: api.database.client, logger: TestDatabase.logger), logger: TestDatabase.logger,
            clock: clock.wall
        )
        let request = OpenTicketRequest(kind: .incident, title: "Salle info hors service", impact: impact, urgency: urgency, service: "logiciel")
        return try await service.open(request, by: principal(api, "requester", [.requester]), idempotencyKey: nil).ticket
    }

    static func report(_ api: APIHarness, _ ticket: TicketView, at moment: Date) async throws -> [SLAMetric: SLAClockView] {
        let report = try await SLAService(database: api.database, notifier: JobNotifier(client: api.database.client, logger: TestDatabase.logger), logger: TestDatabase.logger, clock: WallClock { moment })
            .report(for: "\(ticket.id)", principal: principal(api, "agent", [.agent]))
        return Dictionary(uniqueKeysWithValues: report.clocks.map { ($0.metric, $0) })
    }

    /// The pending SLA timers of a ticket, as (metric, level, due).
    static func pendingTimers(_ api: APIHarness, _ ticket: TicketView) async throws -> Set<String> {
        let rows = try await api.database.client.query(
            "SELECT payload::text FROM queue.jobs WHERE kind = 'sla.timer' AND state = 0 AND (payload->>'ticket_id')::bigint = \(ticket.id)"
        )
        var timers: Set<String> = []
        for try await payload in rows.decode(String.self) {
            let timer = try JSONCoding.decoder().decode(SLATimer.self, from: Data(payload.utf8))
            timers.insert("\(timer.metric.rawValue) \(timer.level.rawValue) \(timer.due.formatted(.iso8601))")
        }
        return timers
    }

    @Test("a P1 and a P3 opened at 16:00 on the Friday before Easter Monday are due when a human says")
    func easterDueDates() async throws {
        try await withAPI { api async throws in
            let clock = TestClock(Self.paris("2027-03-26", 16))
            let p1 = try await Self.open(api, clock: clock, impact: 1, urgency: 1)
            let p3 = try await Self.open(api, clock: clock, impact: 2, urgency: 2)
            #expect(p1.priority == "P1")
            #expect(p3.priority == "P3")
            let now = Self.paris("2027-03-26", 16, 5)
            let critical = try await Self.report(api, p1, at: now)
            #expect(critical[.timeToOwn]?.dueAt == Self.paris("2027-03-26", 16, 15), "15 minutes, round the clock")
            #expect(critical[.timeToResolve]?.dueAt == Self.paris("2027-03-26", 20), "4 hours, round the clock")
            #expect(critical[.timeToOwn]?.elapsedSeconds == TimeInterval(300))
            let ordinary = try await Self.report(api, p3, at: now)
            #expect(ordinary[.timeToOwn]?.dueAt == Self.paris("2027-03-30", 10), "4 office hours: 1.5 on Friday, Easter Monday closed, 2.5 on Tuesday")
            #expect(ordinary[.timeToResolve]?.dueAt == Self.paris("2027-04-01", 16), "3 office days of 10 hours")
            #expect(ordinary[.timeToOwn]?.state == .running)
            #expect(
                try await Self.pendingTimers(api, p1) == [
                    "tto warning 2027-03-26T15:11:15Z", "tto breach 2027-03-26T15:15:00Z", "ttr warning 2027-03-26T18:00:00Z",
                    "ttr breach 2027-03-26T19:00:00Z",
                ]
            )
        }
    }

    @Test("pending for two hours moves the resolution deadline by exactly two office hours, and its timers with it")
    func pendingMovesDeadline() async throws {
        try await withAPI { api async throws in
            let clock = TestClock(Self.paris("2027-03-26", 16))
            var ticket = try await Self.open(api, clock: clock, impact: 2, urgency: 2)
            let service = TicketService(
                database: api.database, notifier: JobNotifier(client: api.database.client, logger: TestDatabase.logger),
                logger: TestDatabase.logger, clock: clock.wall
            )
            let agent = Self.principal(api, "agent", [.agent])
            clock.set(Self.paris("2027-03-30", 8))
            let desk = try await TicketActionTests.serviceDeskID(api)
            ticket = try await service.perform(.assign(teamID: desk), on: "\(ticket.id)", expectedVersion: ticket.version, by: agent)
            ticket = try await service.perform(.take(agentID: agent.personID), on: "\(ticket.id)", expectedVersion: ticket.version, by: agent)
            let before = try await Self.report(api, ticket, at: clock.wall.now())
            #expect(before[.timeToOwn]?.state == .met)
            #expect(before[.timeToResolve]?.dueAt == Self.paris("2027-04-01", 16))

            clock.set(Self.paris("2027-03-30", 9))
            ticket = try await service.perform(.pend(reason: "Waiting for the teacher"), on: "\(ticket.id)", expectedVersion: ticket.version, by: agent)
            let paused = try await Self.report(api, ticket, at: Self.paris("2027-03-30", 10))
            #expect(paused[.timeToResolve]?.state == .paused)
            #expect(paused[.timeToResolve]?.dueAt == nil)
            #expect(paused[.timeToResolve]?.elapsedSeconds == TimeInterval(3 * 3600), "1.5 h on Friday, 1.5 h on Tuesday, nothing while pending")
            #expect(try await Self.pendingTimers(api, ticket).isEmpty, "a paused clock has no timer")

            clock.set(Self.paris("2027-03-30", 11))
            ticket = try await service.perform(.resume, on: "\(ticket.id)", expectedVersion: ticket.version, by: agent)
            let after = try await Self.report(api, ticket, at: clock.wall.now())
            let due = try #require(after[.timeToResolve]?.dueAt)
            #expect(due == Self.paris("2027-04-02", 8))
            #expect(Self.office.businessTime(from: Self.paris("2027-04-01", 16), to: due) == 2 * 3600)
            #expect(after[.timeToResolve]?.pauses.count == 1)
            // warning at 75 % (22.5 h): 3 h counted, then 6.5 on Tuesday, 10 on Wednesday, 3 on Thursday: 10:30 in Paris
            let timers = try await Self.pendingTimers(api, ticket)
            #expect(timers == ["ttr warning 2027-04-01T08:30:00Z", "ttr breach 2027-04-02T06:00:00Z"], "\(timers)")
            let reasons = try #require(after[.timeToResolve]?.timeline.map(\.reason))
            #expect(reasons.contains("public holiday: Lundi de Pâques"))
            #expect(reasons.contains("paused: ticket pending"))
        }
    }

    @Test("a timer records its warning once, and a timer whose deadline moved records nothing")
    func staleAndRepeatedTimers() async throws {
        try await withAPI { api async throws in
            let clock = TestClock(Self.paris("2027-03-26", 16))
            let ticket = try await Self.open(api, clock: clock, impact: 2, urgency: 2)
            let sla = SLAService(database: api.database, notifier: JobNotifier(client: api.database.client, logger: TestDatabase.logger), logger: TestDatabase.logger, clock: WallClock { Self.paris("2027-03-30", 9) })
            let warning = SLATimer(ticketId: ticket.id, metric: .timeToOwn, level: .warning, dueMs: SLATimer.milliseconds(Self.paris("2027-03-30", 9)))
            var moved = warning
            moved.dueMs += 60_000
            #expect(try await sla.fire(moved) == .stale)
            #expect(try await sla.fire(warning) == .recorded)
            #expect(try await sla.fire(warning) == .alreadyRecorded)
            let history = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: "agent").decode(HistoryPage.self)
            #expect(history.items.filter { $0.kind == "sla_warning" }.count == 1)
            let warned = try #require(history.items.first { $0.kind == "sla_warning" })
            #expect(warned.note == "time to own: 75 % of the target used at 2027-03-30T07:00:00Z", "the API's history speaks English")
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            let page = try await agent.get("/tickets/\(ticket.ref)")
            #expect(page.text.contains("délai de prise en charge : 75 % de la cible consommés le"), "the French page says it in French")
            #expect(!page.text.contains("time to own"))
            let requesterView = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: "requester").decode(HistoryPage.self)
            #expect(!requesterView.items.contains { $0.kind.hasPrefix("sla_") }, "SLA events are for staff")
        }
    }

    @Test("timers fire on a worker: a resolution clock started 4 hours ago warns, then breaches and flags the ticket")
    func timersFireOnWorker() async throws {
        try await withAPI(worker: true) { api async throws in
            let clock = TestClock(Date().addingTimeInterval(-4 * 3600 + 2))
            let ticket = try await Self.open(api, clock: clock, impact: 1, urgency: 1)
            try await JobQueue(client: api.database.client, logger: TestDatabase.logger).announce(SLATimer.queue)
            let deadline = ContinuousClock.now + .seconds(20)
            var kinds: [String] = []
            while ContinuousClock.now < deadline {
                let history = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: "agent").decode(HistoryPage.self)
                kinds = history.items.filter { $0.changes["sla_ttr"] != nil }.map(\.kind)
                if kinds.count == 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(kinds == ["sla_warning", "sla_breached"])
            #expect(try await api.ticket(ticket.id).slaBreached)
            let response = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/sla", as: "requester")
            #expect(response.status == .ok)
            let report = try response.decode(SLAReport.self)
            #expect(report.slaBreached)
            #expect(report.clocks.first { $0.metric == .timeToResolve }?.state == .breached)
        }
    }

    @Test("a ticket's clocks are not shown to a requester who may not see the ticket")
    func clocksFollowTicketScope() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open(as: "local_correspondent")
            #expect(try await api.call(.get, "/api/v1/tickets/\(ticket.id)/sla", as: "requester").status == .notFound)
            #expect(try await api.call(.get, "/api/v1/tickets/\(ticket.id)/sla", as: "local_correspondent").status == .ok)
            #expect(try await api.call(.get, "/api/v1/tickets/\(ticket.id)/sla", as: "agent").status == .ok)
        }
    }
}
