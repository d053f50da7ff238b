import Foundation
import GuichetDomain
import GuichetStore

/// A ticket as the API shows it.
public struct TicketView: Sendable, Equatable, Codable {
    public var id: Int64
    public var ref: String
    public var kind: TicketKind
    public var title: String
    public var description: String
    public var status: TicketStatus
    public var impact: Int
    public var urgency: Int
    public var priority: String
    public var origin: TicketOrigin
    public var requester: NamedView
    public var establishment: NamedView
    public var service: NamedView?
    public var team: NamedView?
    public var agent: NamedView?
    public var pendingReason: String?
    public var escalationReason: String?
    public var resolution: Resolution?
    /// The actions the ticket's state allows now, to this caller.
    public var availableActions: [TicketActionName]
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var takenAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    /// Whether an SLA clock went past its target (`GET .../sla` tells which and when).
    public var slaBreached: Bool
    /// The equipment the ticket is about, within the caller's perimeter (reading one ticket).
    public var cis: [CISummaryView]?

    /// The ticket as `principal` sees it.
    public init(_ record: TicketRecord, for principal: Principal) {
        id = record.id
        ref = record.ref
        kind = record.kind
        title = record.title
        description = record.description
        status = record.status
        impact = record.impact
        urgency = record.urgency
        priority = record.priority.label
        origin = record.origin
        requester = NamedView(record.requester)
        establishment = NamedView(record.establishment)
        service = record.service.map(NamedView.init)
        team = record.team.map(NamedView.init)
        agent = record.agent.map(NamedView.init)
        pendingReason = record.pendingReason
        escalationReason = record.escalationReason
        resolution = record.resolution
        availableActions = TicketLifecycle.availableActions(from: record.status).filter { AccessPolicy.mayPerform($0, principal: principal) }
        version = record.version
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        takenAt = record.takenAt
        resolvedAt = record.resolvedAt
        closedAt = record.closedAt
        slaBreached = record.slaBreached
    }
}

/// One page of a ticket list; `nextCursor` fetches the next one.
public struct TicketPage: Sendable, Equatable, Codable {
    public var items: [TicketView]
    public var nextCursor: String?
}

/// A history entry as the API shows it.
public struct EventView: Sendable, Equatable, Codable {
    public var id: Int64
    public var at: Date
    /// `nil` when Guichet itself acted.
    public var actor: NamedView?
    public var kind: String
    public var changes: [String: FieldChange]
    public var note: String?
    public var isInternal: Bool
    /// Why Guichet acted, for the pages to say in their reader's language; the API shows `note`.
    public var systemNote: SystemNote? = nil

    enum CodingKeys: String, CodingKey {
        case id, at, actor, kind, changes, note, isInternal
    }

    init(_ event: TicketEvent) {
        id = event.id
        at = event.at
        actor = event.actor.map(NamedView.init)
        kind = event.kind
        changes = event.changes
        note = event.note
        isInternal = event.isInternal
        systemNote = event.systemNote
    }
}

/// A comment as the API shows it.
public struct CommentView: Sendable, Equatable, Codable {
    public var id: Int64
    public var ticketId: Int64
    public var author: NamedView
    public var visibility: CommentVisibility
    public var body: String
    public var origin: TicketOrigin
    public var createdAt: Date

    init(_ comment: CommentRecord) {
        id = comment.id
        ticketId = comment.ticketID
        author = NamedView(comment.author)
        visibility = comment.visibility
        body = comment.body
        origin = comment.origin
        createdAt = comment.createdAt
    }
}

/// Something a ticket points to, as the API shows it: its id, and a code and a name where it has them.
public struct NamedView: Sendable, Equatable, Codable {
    public var id: Int64
    public var code: String?
    public var name: String

    init(_ named: TicketRecord.Named) {
        id = named.id
        code = named.code
        name = named.name
    }
}
