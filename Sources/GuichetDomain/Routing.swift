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

/// One dispatch rule; rules are tried in `position` order and the first that matches wins. A rule
/// may look at the equipment the ticket names: its class or family, and its location (the
/// département of its establishment). A rule on equipment sends a départemental target to the
/// département of the CI that matched, so that a hardware fault goes to the field team where the
/// equipment is.
public struct RoutingRule: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        /// Always this team.
        case team(Int64)
        /// The team of this kind that covers the département of the ticket's establishment, or of
        /// the CI the rule matched.
        case departmentTeam(TeamProfile.Kind)
    }

    /// The département a matching rule's départemental target is looked up in.
    public struct Match: Sendable, Equatable {
        public let departmentCode: String?
    }

    public let position: Int
    /// The catalogue family the rule applies to (`nil`: any).
    public let serviceFamily: String?
    /// The ticket kind the rule applies to (`nil`: any).
    public let ticketKind: TicketKind?
    /// The family of a CI the ticket names (`nil`: any, or none named).
    public let ciFamily: CIClass.Family?
    /// The class of a CI the ticket names (`nil`: any, or none named).
    public let ciClass: CIClass?
    /// The département where the CI is (with `ciFamily` or `ciClass`), else the ticket's
    /// establishment's (`nil`: anywhere).
    public let departmentCode: String?
    public let target: Target

    public init(
        position: Int, serviceFamily: String?, ticketKind: TicketKind?, ciFamily: CIClass.Family? = nil, ciClass: CIClass? = nil,
        departmentCode: String? = nil, target: Target
    ) {
        self.position = position
        self.serviceFamily = serviceFamily
        self.ticketKind = ticketKind
        self.ciFamily = ciFamily
        self.ciClass = ciClass
        self.departmentCode = departmentCode
        self.target = target
    }

    /// Whether the rule applies to the ticket, and in which département; `nil` when it does not.
    func match(_ facts: DispatchFacts) -> Match? {
        guard serviceFamily == nil || serviceFamily == facts.serviceFamily, ticketKind == nil || ticketKind == facts.kind else { return nil }
        let places: [String?]
        if ciFamily == nil && ciClass == nil {
            places = [facts.departmentCode]
        } else {
            places = facts.cis.filter { (ciFamily == nil || $0.ciClass.family == ciFamily) && (ciClass == nil || $0.ciClass == ciClass) }
                .map { $0.departmentCode ?? facts.departmentCode }
        }
        guard let place = places.first(where: { departmentCode == nil || $0 == departmentCode }) else { return nil }
        return Match(departmentCode: place)
    }
}

/// The facts of a ticket that dispatch looks at.
public struct DispatchFacts: Sendable, Equatable {
    /// A CI the ticket names: its class, and the département of its establishment (`nil` for
    /// equipment outside the establishments: the datacentre's).
    public struct CI: Sendable, Equatable {
        public let ciClass: CIClass
        public let departmentCode: String?

        public init(ciClass: CIClass, departmentCode: String?) {
            self.ciClass = ciClass
            self.departmentCode = departmentCode
        }
    }

    public let kind: TicketKind
    public let serviceFamily: String?
    public let departmentCode: String?
    public let cis: [CI]

    public init(kind: TicketKind, serviceFamily: String?, departmentCode: String?, cis: [CI] = []) {
        self.kind = kind
        self.serviceFamily = serviceFamily
        self.departmentCode = departmentCode
        self.cis = cis
    }
}

/// Chooses the team a new ticket goes to.
public enum Dispatcher {
    /// The first matching rule whose target exists wins; a rule naming a départemental team is skipped
    /// when the département has none; without any, the ticket goes to `fallback`.
    public static func team(for facts: DispatchFacts, rules: [RoutingRule], teams: [TeamProfile], fallback: Int64) -> Int64 {
        for rule in rules.sorted(by: { $0.position < $1.position }) {
            guard let match = rule.match(facts) else { continue }
            switch rule.target {
            case .team(let id):
                if teams.contains(where: { $0.id == id }) { return id }
            case .departmentTeam(let kind):
                let local = teams.filter { $0.kind == kind && $0.departmentCode != nil && $0.departmentCode == match.departmentCode }
                if let team = local.min(by: { $0.id < $1.id }) { return team.id }
            }
        }
        return fallback
    }
}
