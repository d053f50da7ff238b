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

    /// The CIs a list's filter keeps, for a query that names them `c`: its words (as `ciMatching:`),
    /// class, establishment (by UAI code), status, and retired ones left out when only equipment in
    /// use is asked for.
    mutating func appendInterpolation(ciFiltered filter: CIFilter) {
        let words = (filter.text ?? "").split(whereSeparator: \.isWhitespace).prefix(8).map(String.init)
        appendInterpolation(ciMatching: words)
        appendLiteral(" AND ")
        appendInterpolation(filter.ciClass?.rawValue, orAnyIn: "c.class")
        appendLiteral(" AND ")
        appendLiteral("(")
        appendInterpolation(filter.establishment)
        appendLiteral("::text IS NULL OR c.establishment_id = (SELECT id FROM organizations WHERE code = ")
        appendInterpolation(filter.establishment)
        appendLiteral(")) AND ")
        appendInterpolation(filter.status?.rawValue, orAnyIn: "c.status")
        appendLiteral(" AND (NOT ")
        appendInterpolation(filter.inUse)
        appendLiteral(" OR c.status <> 'retired')")
    }

    /// One page of the CIs a caller may see and the filter keeps, in name order after `after` (the
    /// previous page's last): a subquery of their `id`, chosen from the columns of the name index
    /// alone (no row is read to be left out), for the caller to read whole.
    mutating func appendInterpolation(ciPage filter: CIFilter, scope: CIScope, after: (name: String, id: Int64)?, limit: Int) {
        appendLiteral("(SELECT c.id FROM cis c WHERE ")
        appendInterpolation(ciFiltered: filter)
        appendLiteral(" AND (")
        appendInterpolation(after?.name)
        appendLiteral("::text IS NULL OR (c.name, c.id) > (")
        appendInterpolation(after?.name)
        appendLiteral(", ")
        appendInterpolation(after?.id)
        appendLiteral(")) AND ")
        appendInterpolation(ciVisibleTo: scope)
        appendLiteral(" ORDER BY c.name, c.id LIMIT ")
        appendInterpolation(limit)
        appendLiteral(")")
    }

    /// `(value IS NULL OR column = value)`: a filter that keeps everything when it is not given.
    mutating func appendInterpolation(_ value: String?, orAnyIn column: String) {
        appendLiteral("(")
        appendInterpolation(value)
        appendLiteral("::text IS NULL OR \(column) = ")
        appendInterpolation(value)
        appendLiteral(")")
    }

    /// Every word appears in the CI's search text (name, serial, asset tag, MAC address, room),
    /// accents and case aside, or, when it could be the start of one, starts its IP address; one
    /// condition per word, so that the trigram index (and the address index) serves each.
    mutating func appendInterpolation(ciMatching words: [String]) {
        appendLiteral("TRUE")
        for word in words {
            appendLiteral(" AND (c.search LIKE ci_search_fold(")
            appendInterpolation(LikePattern.containing(word))
            appendLiteral(")")
            if CIFilter.mayStartAddress(word) {
                appendLiteral(" OR host(c.ip) LIKE ")
                appendInterpolation(LikePattern.startingWith(word.lowercased()))
            }
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
