import Foundation
import GuichetDomain
import GuichetQueue

/// A deadline of a ticket's clock, as a queue job due at that instant: the warning at 75 % of the
/// target, or the breach at 100 %. Its unique key names the deadline, so a rescheduled clock
/// cancels exactly the timers it had, and a timer that fires for a deadline that has moved since
/// is recognised as stale.
public struct SLATimer: JobParameters, Equatable {
    public enum Level: String, Sendable, Codable, CaseIterable {
        case warning, breach

        var fraction: Double { self == .warning ? SLAClock.warningFraction : 1 }
    }

    public static let queue = "sla"
    public static let kind = "sla.timer"

    public var ticketId: Int64
    public var metric: SLAMetric
    public var level: Level
    /// Milliseconds since 1970: the deadline this timer was set for.
    public var dueMs: Int64

    public init(ticketId: Int64, metric: SLAMetric, level: Level, dueMs: Int64) {
        self.ticketId = ticketId
        self.metric = metric
        self.level = level
        self.dueMs = dueMs
    }

    public var due: Date { Date(timeIntervalSince1970: Double(dueMs) / 1000) }

    public var uniqueKey: String { "sla:\(ticketId):\(metric.rawValue):\(level.rawValue):\(dueMs)" }

    /// The timers a clock needs now: none once stopped or paused, none for a level already reached.
    static func timers(for clock: SLAClock, ticketID: Int64, on calendar: BusinessCalendar) -> [SLATimer] {
        Level.allCases.compactMap { level in
            if level == .warning && clock.warnedAt != nil || level == .breach && clock.breachedAt != nil { return nil }
            guard let due = clock.deadline(at: level.fraction, on: calendar) else { return nil }
            return SLATimer(ticketId: ticketID, metric: clock.metric, level: level, dueMs: Self.milliseconds(due))
        }
    }

    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    var job: NewJob { NewJob(self, runAt: due, priority: level == .breach ? 10 : 5, uniqueKey: uniqueKey) }
}
