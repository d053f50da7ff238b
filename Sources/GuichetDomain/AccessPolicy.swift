/// A role held by an account.
public enum Role: String, Sendable, Codable, CaseIterable {
    case requester
    /// The IT correspondent of an establishment: sees every ticket of it.
    case correspondent
    case agent
    case lead
    /// A partner's viewer (Région, Département, Rectorat): reads the tickets of its perimeter.
    case partner
    /// An agent of a contractor: works the tickets escalated to its teams.
    case contractor
    case admin
}

/// What an API token may do; a session may do everything its roles allow.
public enum TokenScope: String, Sendable, Codable, CaseIterable {
    case read
    case write
    case admin
    /// An inventory tool's token: it hands over inventories (`/api/v1/cis/imports`) and nothing else.
    case inventory
    /// A monitoring source's token: it sends alerts (`/api/v1/alerts...`) and nothing else.
    case alerts

    /// The scopes of machines that hand data over: a token holding only those reaches only its
    /// own intake routes, and a person's session never holds them.
    public var isIntake: Bool { self == .inventory || self == .alerts }
}

/// Who is calling, as the access rules see it.
public struct Principal: Sendable, Equatable {
    public let personID: Int64
    public let organizationID: Int64
    public let roles: Set<Role>
    /// What the credential allows: a token's scopes, everything for a session.
    public var scopes: Set<TokenScope>
    /// The request being served, recorded with what it changes.
    public var requestID: String?

    /// Without `scopes`, everything a person may do: all but the intake scopes.
    public init(
        personID: Int64, organizationID: Int64, roles: Set<Role>, scopes: Set<TokenScope> = Set(TokenScope.allCases.filter { !$0.isIntake }),
        requestID: String? = nil
    ) {
        self.personID = personID
        self.organizationID = organizationID
        self.roles = roles
        self.scopes = scopes
        self.requestID = requestID
    }

    /// Partners and contractors are outsiders whatever else they hold: their narrower rules win.
    public var isOutsider: Bool { roles.contains(.partner) || roles.contains(.contractor) }

    /// The service centre's staff work on every ticket.
    public var isStaff: Bool { !isOutsider && !roles.isDisjoint(with: [.agent, .lead, .admin]) }

    public var isAdmin: Bool { !isOutsider && roles.contains(.admin) }
}

/// Which tickets a caller may see; every ticket query is narrowed by it in SQL.
public enum TicketScope: Sendable, Hashable {
    case all
    /// Only the tickets this person asked for.
    case requester(personID: Int64)
    /// A local correspondent: their own tickets and every ticket of their establishment.
    case establishment(personID: Int64, establishmentID: Int64)
    /// A partner: the tickets of the establishments its perimeter covers.
    case partner(organizationID: Int64)
    /// A contractor's agent: the tickets escalated, now or before, to one of their teams.
    case contractor(personID: Int64)
}

/// The access rules of tickets.
public enum AccessPolicy {
    public static func ticketScope(of principal: Principal) -> TicketScope {
        if principal.roles.contains(.partner) { return .partner(organizationID: principal.organizationID) }
        if principal.roles.contains(.contractor) { return .contractor(personID: principal.personID) }
        if principal.isStaff { return .all }
        if principal.roles.contains(.correspondent) {
            return .establishment(personID: principal.personID, establishmentID: principal.organizationID)
        }
        return .requester(personID: principal.personID)
    }

    /// Staff do everything; a contractor's agent works the tickets escalated to them; requesters
    /// close or reopen their resolved tickets; partners only read.
    public static func mayPerform(_ action: TicketActionName, principal: Principal) -> Bool {
        if principal.roles.contains(.partner) { return false }
        if principal.roles.contains(.contractor) { return [.take, .pend, .resume, .resolve].contains(action) }
        return principal.isStaff || action == .close || action == .reopen
    }

    /// Partners and contractors do not open tickets: partners read, contractors work what is
    /// escalated to them.
    public static func mayOpen(_ principal: Principal) -> Bool { !principal.isOutsider }

    /// The fleet is changed by the service centre's staff (and by inventory imports).
    public static func mayEditFleet(_ principal: Principal) -> Bool { principal.isStaff }

    /// Inventories are handed over by an inventory tool's token or an administrator.
    public static func mayImportInventory(_ principal: Principal) -> Bool {
        principal.scopes.contains(.inventory) || mayAdminister(principal)
    }

    /// Alerts are sent by a monitoring source's token or an administrator.
    public static func mayReportAlerts(_ principal: Principal) -> Bool {
        principal.scopes.contains(.alerts) || mayAdminister(principal)
    }

    /// Whether the caller may change anything at all (partners read only).
    public static func mayWrite(_ principal: Principal) -> Bool { !principal.roles.contains(.partner) }

    /// Internal notes are read and written by those who work the ticket: staff and contractors'
    /// agents; never requesters or partners.
    public static func mayUseInternalNotes(_ principal: Principal) -> Bool {
        principal.isStaff || principal.roles.contains(.contractor)
    }

    /// Where a caller may say a new ticket came from: the portal and the API are anyone's, a phone
    /// call is recorded by staff, and mail and monitoring are Guichet's own intakes, which no
    /// caller may claim.
    public static func mayDeclare(origin: TicketOrigin, _ principal: Principal) -> Bool {
        switch origin {
        case .api, .portal: true
        case .phone: principal.isStaff
        case .email, .monitoring: false
        }
    }

    /// Staff may open a ticket on behalf of someone else (a phone call); others only for themselves.
    public static func mayOpenOnBehalf(_ principal: Principal) -> Bool { principal.isStaff }

    /// Administration (webhooks, inbound mail, the audit log) needs an administrator whose
    /// credential carries the admin scope.
    public static func mayAdminister(_ principal: Principal) -> Bool { principal.isAdmin && principal.scopes.contains(.admin) }
}
