/// Which configuration items a caller may see; every CI query is narrowed by it in SQL.
public enum CIScope: Sendable, Hashable {
    /// The service centre's staff: the whole fleet.
    case all
    /// A requester or correspondent: the equipment of their establishment.
    case establishment(Int64)
    /// A partner: the equipment of the establishments its perimeter covers.
    case partner(organizationID: Int64)
    /// A contractor's agent: the CIs linked to tickets escalated to their teams.
    case contractor(personID: Int64)

    public init(of principal: Principal) {
        if principal.roles.contains(.partner) {
            self = .partner(organizationID: principal.organizationID)
        } else if principal.roles.contains(.contractor) {
            self = .contractor(personID: principal.personID)
        } else if principal.isStaff {
            self = .all
        } else {
            self = .establishment(principal.organizationID)
        }
    }
}
