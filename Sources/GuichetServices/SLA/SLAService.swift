import Foundation
import GuichetDomain
import GuichetStore
import GuichetQueue
import Logging

/// SLA timers as they fire, and the clocks of a ticket as its readers see them.
public struct SLAService: Sendable {
    public enum FireOutcome: Sendable, Equatable {
        /// The warning or breach was recorded on the clock and in the history.
        case recorded
        /// The deadline moved, or the clock stopped or paused, since the timer was set.
        case stale
        /// Another run of the same timer recorded it already.
        case alreadyRecorded
    }

    let database: Database
    let transactions: Transactions
    let logger: Logger
    let clock: WallClock
    /// Where users reach Guichet, for the links in escalation mails.
    let publicURL: String?

    public init(database: Database, notifier: JobNotifier, logger: Logger, clock: WallClock = .system, publicURL: String? = nil) {
        self.database = database
        transactions = Transactions(database: database, notifier: notifier)
        self.logger = logger
        self.clock = clock
        self.publicURL = publicURL
    }

    /// Records a warning (75 %) or a breach (100 %) if the timer's deadline still holds.
    public func fire(_ timer: SLATimer) async throws -> FireOutcome {
        try await transactions.run { work in
            let store = SLARepository(connection: work.connection, logger: logger)
            guard let stored = try await store.clocks(ticketID: timer.ticketId, lock: true).first(where: { $0.clock.metric == timer.metric }),
                let calendar = try await store.calendar(id: stored.calendarID),
                let due = stored.clock.deadline(at: timer.level.fraction, on: calendar),
                abs(due.timeIntervalSince(timer.due)) < 0.002
            else { return .stale }
            var clock = stored.clock
            let now = self.clock.now()
            var reached: [SLATimer.Level] = []
            switch timer.level {
            case .warning:
                guard clock.warnedAt == nil else { return .alreadyRecorded }
                clock.warnedAt = now
                reached = [.warning]
            case .breach:
                guard clock.breachedAt == nil else { return .alreadyRecorded }
                // a breach implies its warning: when both come due together, the history still reads in order
                if clock.warnedAt == nil {
                    clock.warnedAt = now
                    reached.append(.warning)
                }
                clock.breachedAt = now
                reached.append(.breach)
                try await store.markBreached(ticketID: timer.ticketId)
            }
            try await store.save(clock, ticketID: timer.ticketId)
            let events = work.history
            for level in reached {
                guard let levelDue = stored.clock.deadline(at: level.fraction, on: calendar) else { continue }
                try await events.append(
                    ticketID: timer.ticketId, actorID: nil, kind: level == .warning ? "sla_warning" : "sla_breached",
                    changes: ["sla_\(timer.metric.rawValue)": FieldChange(from: nil, to: level.rawValue)],
                    systemNote: .sla(timer.metric, breach: level == .breach, due: levelDue), isInternal: true
                )
            }
            try await escalate(timer, in: work)
            logger.notice(
                "SLA \(timer.level.rawValue)",
                metadata: ["ticket_id": "\(timer.ticketId)", "metric": "\(timer.metric.rawValue)", "late_ms": "\(Int(now.timeIntervalSince(due) * 1000))"]
            )
            return .recorded
        }
    }

    /// Who hears of a deadline: the team's leads when nobody took the ticket in time (warning and
    /// breach), the service managers when it is not resolved in time.
    private func escalate(_ timer: SLATimer, in work: UnitOfWork) async throws {
        let connection = work.connection
        guard let ticket = try await TicketRepository(connection: connection, logger: logger).find(.id(timer.ticketId), scope: .all) else { return }
        let directory = DirectoryRepository(connection: connection, logger: logger)
        let notifications = NotificationComposer(work: work, publicURL: publicURL)
        switch (timer.metric, timer.level) {
        case (.timeToOwn, let level):
            let teams = try await DispatchRepository(connection: connection, logger: logger).teams()
            guard let team = ticket.team?.id ?? teams.first(where: { $0.kind == .serviceDesk })?.id else { return }
            let kind: NotificationKind = level == .warning ? .ownershipWarning : .ownershipBreached
            try await notifications.notify(kind, about: ticket, to: try await directory.teamLeads(teamID: team))
        case (.timeToResolve, .breach):
            try await notifications.notify(.resolutionBreached, about: ticket, to: try await directory.serviceManagers())
        case (.timeToResolve, .warning):
            break
        }
    }

    /// A ticket's clocks with their timelines, if the caller may see the ticket.
    public func report(for key: String, principal: Principal) async throws -> SLAReport {
        try await database.transaction { connection in
            let record = try await TicketRepository(connection: connection, logger: logger).visible(key, to: principal)
            let store = SLARepository(connection: connection, logger: logger)
            let now = clock.now()
            var clocks: [SLAClockView] = []
            for stored in try await store.clocks(ticketID: record.id) {
                guard let calendar = try await store.calendar(id: stored.calendarID) else { continue }
                clocks.append(SLAClockView(stored.clock, on: calendar, at: now))
            }
            return SLAReport(ticketId: record.id, ref: record.ref, slaBreached: record.slaBreached, clocks: clocks)
        }
    }
}
