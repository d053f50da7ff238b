/// What assignment knows about a member of the chosen team.
public struct AgentLoad: Sendable, Equatable {
    public let personID: Int64
    public let available: Bool
    /// Tickets this agent currently holds that are not resolved or closed.
    public let openTickets: Int
    /// When the agent was last given a ticket (seconds since 1970), `nil` if never.
    public let lastAssignedAt: Double?

    public init(personID: Int64, available: Bool, openTickets: Int, lastAssignedAt: Double?) {
        self.personID = personID
        self.available = available
        self.openTickets = openTickets
        self.lastAssignedAt = lastAssignedAt
    }
}

/// Chooses the agent who takes a dispatched ticket.
public enum AgentPicker {
    /// The available agents, best choice first: fewest open tickets; among equals the one who
    /// waited longest for a ticket, then the lowest id so that the order is stable. Empty when
    /// nobody is available.
    public static func ranked(_ candidates: [AgentLoad]) -> [Int64] {
        candidates.filter(\.available).sorted { a, b in
            if a.openTickets != b.openTickets { return a.openTickets < b.openTickets }
            let aTime = a.lastAssignedAt ?? -.infinity
            let bTime = b.lastAssignedAt ?? -.infinity
            if aTime != bTime { return aTime < bTime }
            return a.personID < b.personID
        }.map(\.personID)
    }
}
