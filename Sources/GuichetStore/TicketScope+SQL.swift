import GuichetDomain
import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// The condition that a ticket `t` is visible under `scope`, with its values bound: every query
    /// that reads tickets for a caller writes `WHERE \(visibleTo: scope)`, so that none can forget
    /// the perimeter.
    mutating func appendInterpolation(visibleTo scope: TicketScope) {
        let binds = scope.binds
        appendLiteral("(")
        appendInterpolation(binds.everyone)
        appendLiteral(" OR t.requester_id = ")
        appendInterpolation(binds.requester)
        appendLiteral(" OR t.establishment_id = ")
        appendInterpolation(binds.establishment)
        appendLiteral(" OR t.establishment_id IN (SELECT pe.establishment_id FROM partner_establishments pe WHERE pe.partner_id = ")
        appendInterpolation(binds.partner)
        appendLiteral(") OR EXISTS (SELECT 1 FROM ticket_escalations te JOIN team_members tm ON tm.team_id = te.team_id")
        appendLiteral(" WHERE te.ticket_id = t.id AND tm.person_id = ")
        appendInterpolation(binds.contractor)
        appendLiteral("))")
    }
}

extension TicketScope {
    /// The values of the scope condition; a `nil` matches nothing.
    var binds: (everyone: Bool, requester: Int64?, establishment: Int64?, partner: Int64?, contractor: Int64?) {
        switch self {
        case .all: (true, nil, nil, nil, nil)
        case .requester(let personID): (false, personID, nil, nil, nil)
        case .establishment(let personID, let establishmentID): (false, personID, establishmentID, nil, nil)
        case .partner(let organizationID): (false, nil, nil, organizationID, nil)
        case .contractor(let personID): (false, nil, nil, nil, personID)
        }
    }
}
