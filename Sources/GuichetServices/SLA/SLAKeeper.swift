import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// Keeps a ticket's SLA clocks in step with its lifecycle, inside the transaction that changes
/// the ticket: starts them when it is opened, moves them on each status change, and replaces
/// their timers whenever a deadline moves.
struct SLAKeeper {
    let work: UnitOfWork

    var store: SLARepository { SLARepository(connection: work.connection, logger: work.logger) }

    /// Starts the clocks of a ticket opened at `moment` under the policy of its service and priority.
    func start(ticketID: Int64, serviceID: Int64?, priority: Int, at moment: Date) async throws {
        guard let policy = try await store.policy(serviceID: serviceID, priority: priority),
            let calendar = try await store.calendar(id: policy.calendarID)
        else {
            work.logger.warning("no SLA policy applies: the ticket has no clocks", metadata: ["priority": "\(priority)"])
            return
        }
        var timers: [SLATimer] = []
        for clock in SLARules.clocks(for: policy.targets, openedAt: moment) {
            try await store.insert(StoredSLAClock(clock: clock, policyID: policy.id, calendarID: policy.calendarID), ticketID: ticketID)
            timers += SLATimer.timers(for: clock, ticketID: ticketID, on: calendar)
        }
        try await work.enqueue(batch: timers.map(\.job))
    }

    /// Moves the clocks for a change of status at `moment` and reschedules the timers of those
    /// that moved.
    func transition(ticketID: Int64, from old: TicketStatus, to new: TicketStatus, at moment: Date) async throws {
        guard old != new else { return }
        var calendars: [Int64: BusinessCalendar] = [:]
        for stored in try await store.clocks(ticketID: ticketID, lock: true) {
            guard let calendar = try await calendar(stored.calendarID, cache: &calendars) else { continue }
            var clock = stored.clock
            let before = SLATimer.timers(for: clock, ticketID: ticketID, on: calendar)
            guard SLARules.apply(from: old, to: new, at: moment, to: &clock, on: calendar) else { continue }
            try await store.save(clock, ticketID: ticketID)
            let after = SLATimer.timers(for: clock, ticketID: ticketID, on: calendar)
            for timer in before where !after.contains(timer) {
                try await work.cancelJob(uniqueKey: timer.uniqueKey)
            }
            try await work.enqueue(batch: after.filter { !before.contains($0) }.map(\.job))
        }
    }

    func calendar(_ id: Int64, cache: inout [Int64: BusinessCalendar]) async throws -> BusinessCalendar? {
        if let known = cache[id] { return known }
        let loaded = try await store.calendar(id: id)
        cache[id] = loaded
        return loaded
    }
}
