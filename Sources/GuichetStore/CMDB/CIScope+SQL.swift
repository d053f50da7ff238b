import GuichetDomain
import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// The caller's perimeter over configuration items, for a query that names them `c`: one bound
    /// fragment, the same text whatever the scope, as `visibleTo:` is for tickets.
    mutating func appendInterpolation(ciVisibleTo scope: CIScope) {
        let binds = scope.binds
        appendLiteral("(")
        appendInterpolation(binds.everyone)
        appendLiteral(" OR c.establishment_id = ")
        appendInterpolation(binds.establishment)
        appendLiteral(" OR c.establishment_id IN (SELECT pe.establishment_id FROM partner_establishments pe WHERE pe.partner_id = ")
        appendInterpolation(binds.partner)
        appendLiteral(") OR EXISTS (SELECT 1 FROM ticket_cis tc JOIN ticket_escalations te ON te.ticket_id = tc.ticket_id")
        appendLiteral(" JOIN team_members tm ON tm.team_id = te.team_id WHERE tc.ci_id = c.id AND tm.person_id = ")
        appendInterpolation(binds.contractor)
        appendLiteral("))")
    }

    /// Every word appears in the CI's search text (name, serial, asset tag, addresses, room),
    /// accents and case aside; one condition per word, so that the trigram index serves each.
    mutating func appendInterpolation(ciMatching words: [String]) {
        appendLiteral("TRUE")
        for word in words {
            appendLiteral(" AND c.search LIKE ci_search_fold(")
            appendInterpolation(LikePattern.containing(word))
            appendLiteral(")")
        }
    }
}

extension CIScope {
    /// The values of the scope condition; a `nil` matches nothing.
    var binds: (everyone: Bool, establishment: Int64?, partner: Int64?, contractor: Int64?) {
        switch self {
        case .all: (true, nil, nil, nil)
        case .establishment(let id): (false, id, nil, nil)
        case .partner(let organizationID): (false, nil, organizationID, nil)
        case .contractor(let personID): (false, nil, nil, personID)
        }
    }
}
