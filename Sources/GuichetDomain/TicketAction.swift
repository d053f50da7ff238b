/// The names of the actions an API caller or an agent can perform on a ticket.
public enum TicketActionName: String, Sendable, Codable, CaseIterable {
    case assign
    case take
    case pend
    case resume
    case escalate
    case resolve
    case close
    case reopen
}

/// The resolution recorded when a ticket is resolved.
public struct Resolution: Sendable, Equatable, Codable {
    /// The resolution code used for requests outside the service centre's perimeter.
    public static let outOfPerimeterCode = "out_of_perimeter"
    /// The code of a ticket resolved as a duplicate of another (a merged incident).
    public static let duplicateCode = "duplicate"

    public var code: String
    public var solution: String
    public var mode: ResolutionMode

    public init(code: String, solution: String, mode: ResolutionMode) {
        self.code = code
        self.solution = solution
        self.mode = mode
    }
}

/// An action with the facts it carries; each case holds exactly the fields its target state requires.
public enum TicketAction: Sendable, Equatable {
    /// Dispatch to a team (the ticket waits there for an agent).
    case assign(teamID: Int64)
    /// An agent takes the ticket in charge.
    case take(agentID: Int64)
    /// Wait for the requester or a supplier; the resolution clock pauses.
    case pend(reason: String)
    /// Work starts again after a pause.
    case resume
    /// Hand the ticket to a third team (level 2, field team, contractor).
    case escalate(teamID: Int64, reason: String)
    case resolve(Resolution)
    case close
    case reopen(reason: String)

    public var name: TicketActionName {
        switch self {
        case .assign: .assign
        case .take: .take
        case .pend: .pend
        case .resume: .resume
        case .escalate: .escalate
        case .resolve: .resolve
        case .close: .close
        case .reopen: .reopen
        }
    }
}
