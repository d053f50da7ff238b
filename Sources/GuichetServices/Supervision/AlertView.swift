import Foundation
import GuichetDomain
import GuichetStore

/// An alert as the API shows it to the service centre's staff.
public struct AlertView: Sendable, Equatable, Codable {
    public struct Event: Sendable, Equatable, Codable {
        public var status: String
        public var occurrence: String
        public var at: Date
    }

    public struct TicketRef: Sendable, Equatable, Codable {
        public var id: Int64
        public var ref: String
    }

    public struct CIRef: Sendable, Equatable, Codable {
        public var id: Int64
        public var name: String
    }

    public var id: Int64
    public var source: String
    public var key: String
    public var status: AlertSignal.Status
    public var severity: AlertSignal.Severity
    public var summary: String
    public var details: String?
    public var labels: [String: String]
    public var ci: CIRef?
    public var ticket: TicketRef?
    public var startsAt: Date
    public var endsAt: Date?
    public var firstSeenAt: Date
    public var lastSeenAt: Date
    /// How many notifications told of it, replays included.
    public var notifications: Int
    /// Since when it flaps: its incident does not follow it until it settles.
    public var flappingSince: Date?
    /// Each state it was told to be in, once (on an incident's list only).
    public var events: [Event]?

    init(_ record: AlertRecord, withEvents: Bool) {
        id = record.id
        source = record.source
        key = record.key
        status = record.status
        severity = record.severity
        summary = record.summary
        details = record.details
        labels = record.labels
        ci = record.ciID.map { CIRef(id: $0, name: record.ciName ?? "") }
        if let id = record.ticketID, let ref = record.ticketRef { ticket = TicketRef(id: id, ref: ref) }
        startsAt = record.startsAt
        endsAt = record.endsAt
        firstSeenAt = record.firstSeenAt
        lastSeenAt = record.lastSeenAt
        notifications = record.notifications
        flappingSince = record.flappingSince
        events = withEvents ? record.events.map { Event(status: $0.status, occurrence: $0.occurrence, at: $0.at) } : nil
    }
}

/// A page of alerts; `next_cursor` continues it.
public struct AlertPage: Sendable, Equatable, Codable {
    public var items: [AlertView]
    public var nextCursor: String?
}
