import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// A row of an agent's queue: the ticket and where its most pressing SLA clock stands.
public struct QueueRow: Sendable {
    public var ticket: TicketView
    /// The running or paused clock closest to its target (`nil` when every clock stopped).
    public var clock: SLAMetric?
    public var remainingSeconds: Double?
    public var state: SLAClock.State?
}

/// The agent console's reads: queues of work with their SLA standing.
public struct ConsoleService: Sendable {
    let database: Database
    let logger: Logger
    let clock: WallClock

    public init(database: Database, logger: Logger, clock: WallClock = .system) {
        self.database = database
        self.logger = logger
        self.clock = clock
    }

    /// A queue as `principal` may see it, most urgent first, narrowed to a priority or a text.
    public func queue(
        _ queue: ConsoleQueue, priority: Priority? = nil, text: String? = nil, for principal: Principal, limit: Int = 100
    ) async throws -> [QueueRow] {
        guard AccessPolicy.mayUseInternalNotes(principal) else { throw ServiceError.forbidden("The console is for those who work tickets.") }
        return try await database.transaction { connection in
            let records = try await TicketRepository(connection: connection, logger: logger)
                .queue(queue, personID: principal.personID, scope: AccessPolicy.ticketScope(of: principal), priority: priority, text: text, limit: limit)
            let sla = SLARepository(connection: connection, logger: logger)
            let clocks = try await sla.clocks(ticketIDs: records.map(\.id))
            var calendars: [Int64: BusinessCalendar] = [:]
            let now = clock.now()
            var rows: [QueueRow] = []
            for record in records {
                var row = QueueRow(ticket: TicketView(record, for: principal))
                for stored in clocks[record.id] ?? [] where stored.clock.stoppedAt == nil {
                    if calendars[stored.calendarID] == nil { calendars[stored.calendarID] = try await sla.calendar(id: stored.calendarID) }
                    guard let calendar = calendars[stored.calendarID] else { continue }
                    let remaining = stored.clock.remaining(at: now, on: calendar)
                    if row.remainingSeconds.map({ remaining < $0 }) ?? true {
                        row.clock = stored.clock.metric
                        row.remainingSeconds = remaining
                        row.state = stored.clock.state(at: now, on: calendar)
                    }
                }
                rows.append(row)
            }
            return rows
        }
    }

    /// The teams a ticket can be assigned or escalated to.
    public func teams() async throws -> [TeamRecord] {
        try await database.client.withConnection { try await DirectoryRepository(connection: $0, logger: logger).teams() }
    }

    /// The callers matching what an agent typed (two characters at least), for logging a call.
    public func callers(matching text: String, for principal: Principal) async throws -> [PersonMatch] {
        guard AccessPolicy.mayOpenOnBehalf(principal) else { throw ServiceError.forbidden("Only the service centre's staff log calls.") }
        let text = text.trimmingCharacters(in: .whitespaces)
        guard text.count >= 2, text.count <= 100 else { return [] }
        return try await database.client.withConnection { try await DirectoryRepository(connection: $0, logger: logger).searchPeople(text, limit: 20) }
    }
}
