import Foundation
import GuichetDomain
import PostgresNIO

/// A ticket row with the names of what it points to.
public struct TicketRecord: Sendable, Equatable {
    public var id: Int64
    public var ref: String
    public var kind: TicketKind
    public var title: String
    public var description: String
    public var status: TicketStatus
    public var impact: Int
    public var urgency: Int
    public var priority: Priority
    public var origin: TicketOrigin
    public var requester: Named
    public var establishment: Named
    public var service: Named?
    public var team: Named?
    public var agent: Named?
    public var pendingReason: String?
    public var escalationReason: String?
    public var resolution: Resolution?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var takenAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    /// Whether an SLA clock of the ticket went past its target.
    public var slaBreached: Bool

    /// Something a ticket points to: its id, and a code and a name where it has them.
    public struct Named: Sendable, Equatable {
        public var id: Int64
        public var code: String?
        public var name: String

        public init(id: Int64, code: String? = nil, name: String) {
            self.id = id
            self.code = code
            self.name = name
        }
    }

    /// The columns `init(row:)` reads, for `FROM tickets t` with the joins of `joins`.
    static let columns = """
        t.id, t.ref, t.kind, t.title, t.description, t.status, t.impact, t.urgency, t.priority, t.origin,
        t.requester_id, rp.name AS requester_name, t.establishment_id, eo.code AS establishment_code, eo.name AS establishment_name,
        t.service_id, s.code AS service_code, s.name AS service_name, t.team_id, tm.code AS team_code, tm.name AS team_name,
        t.agent_id, ap.name AS agent_name, t.pending_reason, t.escalation_reason, t.resolution_code, t.solution,
        t.resolution_mode, t.version, t.created_at, t.updated_at, t.taken_at, t.resolved_at, t.closed_at, t.sla_breached
        """

    static let joins = """
        JOIN people rp ON rp.id = t.requester_id
        JOIN organizations eo ON eo.id = t.establishment_id
        LEFT JOIN services s ON s.id = t.service_id
        LEFT JOIN teams tm ON tm.id = t.team_id
        LEFT JOIN people ap ON ap.id = t.agent_id
        """

    init(row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        func optionalNamed(_ id: String, _ name: String, code: String? = nil) throws -> Named? {
            guard let id = try r[id].decode(Int64?.self), let name = try r[name].decode(String?.self) else { return nil }
            return Named(id: id, code: try code.map { try r[$0].decode(String?.self) } ?? nil, name: name)
        }
        self.id = try r["id"].decode(Int64.self)
        self.ref = try r["ref"].decode(String.self)
        self.kind = try TicketKind(rawValue: r["kind"].decode(String.self)) ?? .incident
        self.title = try r["title"].decode(String.self)
        self.description = try r["description"].decode(String.self)
        self.status = try TicketStatus(rawValue: r["status"].decode(String.self)) ?? .new
        self.impact = try Int(r["impact"].decode(Int16.self))
        self.urgency = try Int(r["urgency"].decode(Int16.self))
        self.priority = try Priority(rawValue: Int(r["priority"].decode(Int16.self))) ?? .p4
        self.origin = try TicketOrigin(rawValue: r["origin"].decode(String.self)) ?? .api
        self.requester = Named(id: try r["requester_id"].decode(Int64.self), name: try r["requester_name"].decode(String.self))
        self.establishment = Named(
            id: try r["establishment_id"].decode(Int64.self),
            code: try r["establishment_code"].decode(String.self),
            name: try r["establishment_name"].decode(String.self)
        )
        self.service = try optionalNamed("service_id", "service_name", code: "service_code")
        self.team = try optionalNamed("team_id", "team_name", code: "team_code")
        self.agent = try optionalNamed("agent_id", "agent_name")
        self.pendingReason = try r["pending_reason"].decode(String?.self)
        self.escalationReason = try r["escalation_reason"].decode(String?.self)
        if let code = try r["resolution_code"].decode(String?.self), let solution = try r["solution"].decode(String?.self),
            let mode = try r["resolution_mode"].decode(String?.self).flatMap(ResolutionMode.init(rawValue:))
        {
            self.resolution = Resolution(code: code, solution: solution, mode: mode)
        }
        self.version = try r["version"].decode(Int.self)
        self.createdAt = try r["created_at"].decode(Date.self)
        self.updatedAt = try r["updated_at"].decode(Date.self)
        self.takenAt = try r["taken_at"].decode(Date?.self)
        self.resolvedAt = try r["resolved_at"].decode(Date?.self)
        self.closedAt = try r["closed_at"].decode(Date?.self)
        self.slaBreached = try r["sla_breached"].decode(Bool.self)
    }
}

/// The part of a ticket its actions change.
public struct TicketState: Sendable, Equatable {
    public var status: TicketStatus
    public var teamID: Int64?
    public var agentID: Int64?
    public var pendingReason: String?
    public var escalationReason: String?
    public var resolution: Resolution?
    public var takenAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?

    public init(_ record: TicketRecord) {
        status = record.status
        teamID = record.team?.id
        agentID = record.agent?.id
        pendingReason = record.pendingReason
        escalationReason = record.escalationReason
        resolution = record.resolution
        takenAt = record.takenAt
        resolvedAt = record.resolvedAt
        closedAt = record.closedAt
    }
}
