import Foundation

/// An SLA policy's targets: open time allowed until an agent owns the ticket, and until it is resolved.
public struct SLATargets: Sendable, Equatable {
    public var timeToOwn: TimeInterval
    public var timeToResolve: TimeInterval

    public init(timeToOwn: TimeInterval, timeToResolve: TimeInterval) {
        self.timeToOwn = timeToOwn
        self.timeToResolve = timeToResolve
    }

    public func target(_ metric: SLAMetric) -> TimeInterval {
        metric == .timeToOwn ? timeToOwn : timeToResolve
    }
}

/// How the ticket lifecycle moves SLA clocks.
public enum SLARules {
    /// The clocks of a ticket opened at `moment`: both run from its creation.
    public static func clocks(for targets: SLATargets, openedAt moment: Date) -> [SLAClock] {
        SLAMetric.allCases.map { SLAClock.started($0, target: targets.target($0), at: moment) }
    }

    /// Applies a status change at `moment`: taking the ticket stops time to own; pending pauses
    /// time to resolve and leaving pending resumes it; resolution stops both; reopening restarts
    /// time to resolve from what it had counted. Returns whether any clock changed.
    @discardableResult
    public static func apply(from old: TicketStatus, to new: TicketStatus, at moment: Date, to clock: inout SLAClock, on calendar: BusinessCalendar) -> Bool {
        let before = clock
        let finished: Set<TicketStatus> = [.resolved, .closed]
        switch clock.metric {
        case .timeToOwn:
            if new == .inProgress || finished.contains(new) { clock.stop(at: moment, on: calendar) }
        case .timeToResolve:
            if finished.contains(new) {
                clock.stop(at: moment, on: calendar)
            } else if finished.contains(old) {
                clock.restart(at: moment)
                if new == .pending { clock.pause(at: moment, on: calendar) }
            } else if new == .pending && old != .pending {
                clock.pause(at: moment, on: calendar)
            } else if old == .pending && new != .pending {
                clock.resume(at: moment)
            }
        }
        return clock != before
    }
}
