import Foundation
import GuichetDomain

/// A ticket's SLA clocks as the API shows them.
public struct SLAReport: Sendable, Equatable, Codable {
    public var ticketId: Int64
    public var ref: String
    /// Whether any clock of the ticket went past its target.
    public var slaBreached: Bool
    public var clocks: [SLAClockView]
}

/// One clock: where it stands now, and the timeline that explains every minute of it.
public struct SLAClockView: Sendable, Equatable, Codable {
    public struct PauseView: Sendable, Equatable, Codable {
        public var from: Date
        public var to: Date?
    }

    public struct SegmentView: Sendable, Equatable, Codable {
        public var from: Date
        public var to: Date
        public var counted: Bool
        public var reason: String
    }

    public var metric: SLAMetric
    public var state: SLAClock.State
    public var targetSeconds: Double
    public var elapsedSeconds: Double
    public var remainingSeconds: Double
    public var startedAt: Date
    /// When the target is reached if the clock keeps running; absent while paused or once stopped.
    public var dueAt: Date?
    public var warningAt: Date?
    public var stoppedAt: Date?
    public var warnedAt: Date?
    public var breachedAt: Date?
    public var pauses: [PauseView]
    public var timeline: [SegmentView]

    init(_ clock: SLAClock, on calendar: BusinessCalendar, at now: Date) {
        metric = clock.metric
        state = clock.state(at: now, on: calendar)
        targetSeconds = clock.target
        elapsedSeconds = (clock.elapsed(at: now, on: calendar) * 1000).rounded() / 1000
        remainingSeconds = (clock.remaining(at: now, on: calendar) * 1000).rounded() / 1000
        startedAt = clock.startedAt
        dueAt = clock.due(on: calendar)
        warningAt = clock.deadline(at: SLAClock.warningFraction, on: calendar)
        stoppedAt = clock.stoppedAt
        warnedAt = clock.warnedAt
        breachedAt = clock.breachedAt
        pauses = clock.pauses.map { PauseView(from: $0.from, to: $0.to) }
        timeline = SLATimeline.explain(clock, on: calendar, until: now).map {
            SegmentView(from: $0.from, to: $0.to, counted: $0.counted, reason: $0.reason)
        }
    }
}
