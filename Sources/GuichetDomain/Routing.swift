/// What dispatch knows about a team.
public struct TeamProfile: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case serviceDesk = "service_desk"
        case level2
        case field
        case contractor
    }

    public let id: Int64
    public let kind: Kind
    /// The département a field team covers, as its INSEE code ("18", "45", ...).
    public let departmentCode: String?

    public init(id: Int64, kind: Kind, departmentCode: String?) {
        self.id = id
        self.kind = kind
        self.departmentCode = departmentCode
    }
}

/// One dispatch rule; rules are tried in `position` order and the first that matches wins.
public struct RoutingRule: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        /// Always this team.
        case team(Int64)
        /// The team of this kind that covers the establishment's département.
        case departmentTeam(TeamProfile.Kind)
    }

    public let position: Int
    /// The catalogue family the rule applies to (`nil`: any).
    public let serviceFamily: String?
    /// The ticket kind the rule applies to (`nil`: any).
    public let ticketKind: TicketKind?
    public let target: Target

    public init(position: Int, serviceFamily: String?, ticketKind: TicketKind?, target: Target) {
        self.position = position
        self.serviceFamily = serviceFamily
        self.ticketKind = ticketKind
        self.target = target
    }

    func matches(_ facts: DispatchFacts) -> Bool {
        (serviceFamily == nil || serviceFamily == facts.serviceFamily) && (ticketKind == nil || ticketKind == facts.kind)
    }
}

/// The facts of a ticket that dispatch looks at.
public struct DispatchFacts: Sendable, Equatable {
    public let kind: TicketKind
    public let serviceFamily: String?
    public let departmentCode: String?

    public init(kind: TicketKind, serviceFamily: String?, departmentCode: String?) {
        self.kind = kind
        self.serviceFamily = serviceFamily
        self.departmentCode = departmentCode
    }
}

/// Chooses the team a new ticket goes to.
public enum Dispatcher {
    /// The first matching rule whose target exists wins; a rule naming a départemental team is skipped
    /// when the establishment's département has none; without any, the ticket goes to `fallback`.
    public static func team(for facts: DispatchFacts, rules: [RoutingRule], teams: [TeamProfile], fallback: Int64) -> Int64 {
        for rule in rules.sorted(by: { $0.position < $1.position }) where rule.matches(facts) {
            switch rule.target {
            case .team(let id):
                if teams.contains(where: { $0.id == id }) { return id }
            case .departmentTeam(let kind):
                let local = teams.filter { $0.kind == kind && $0.departmentCode != nil && $0.departmentCode == facts.departmentCode }
                if let team = local.min(by: { $0.id < $1.id }) { return team.id }
            }
        }
        return fallback
    }
}
