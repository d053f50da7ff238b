/// A role held by an account.
public enum Role: String, Sendable, Codable, CaseIterable {
    case requester
    /// The IT correspondent of an establishment.
    case correspondent
    case agent
    case lead
    case partner
    case contractor
    case admin
}

/// Who is calling, as the access rules see it.
public struct Principal: Sendable, Equatable {
    public let personID: Int64
    public let organizationID: Int64
    public let roles: Set<Role>

    public init(personID: Int64, organizationID: Int64, roles: Set<Role>) {
        self.personID = personID
        self.organizationID = organizationID
        self.roles = roles
    }

    /// Service centre staff work on every ticket.
    public var isStaff: Bool { !roles.isDisjoint(with: [.agent, .lead, .admin]) }
}

/// Which tickets a caller may see; every ticket query is narrowed by it.
public enum TicketScope: Sendable, Equatable {
    case all
    /// Only the tickets this person asked for.
    case requester(personID: Int64)
}

/// The access rules of tickets.
public enum AccessPolicy {
    public static func ticketScope(of principal: Principal) -> TicketScope {
        principal.isStaff ? .all : .requester(personID: principal.personID)
    }

    /// Requesters may close or reopen their own resolved tickets; everything else is staff work.
    public static func mayPerform(_ action: TicketActionName, principal: Principal) -> Bool {
        principal.isStaff || action == .close || action == .reopen
    }

    /// Internal notes are for staff only.
    public static func mayWriteInternalNotes(_ principal: Principal) -> Bool { principal.isStaff }

    /// Staff may open a ticket on behalf of someone else (a phone call); others only for themselves.
    public static func mayOpenOnBehalf(_ principal: Principal) -> Bool { principal.isStaff }
}
