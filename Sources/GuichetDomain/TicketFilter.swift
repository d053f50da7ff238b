/// The filters of the ticket list; `nil` means any.
public struct TicketFilter: Sendable, Equatable {
    public var statuses: [TicketStatus]?
    public var teamID: Int64?
    public var agentID: Int64?
    public var establishmentID: Int64?
    public var priority: Priority?
    public var kind: TicketKind?
    /// Where the tickets came from: `monitoring` for the incidents supervision opened.
    public var origin: TicketOrigin?

    public init(
        statuses: [TicketStatus]? = nil, teamID: Int64? = nil, agentID: Int64? = nil, establishmentID: Int64? = nil,
        priority: Priority? = nil, kind: TicketKind? = nil, origin: TicketOrigin? = nil
    ) {
        self.statuses = statuses
        self.teamID = teamID
        self.agentID = agentID
        self.establishmentID = establishmentID
        self.priority = priority
        self.kind = kind
        self.origin = origin
    }
}
