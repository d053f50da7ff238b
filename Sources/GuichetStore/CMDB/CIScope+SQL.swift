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

    /// The CIs a list's search keeps, for a query that names them `c`: its words (as `ciMatching:`),
    /// class, establishment (by UAI code), status, and retired ones left out when only equipment in
    /// use is asked for.
    mutating func appendInterpolation(ciFiltered search: CISearch) {
        let filter = search.filter
        appendInterpolation(ciMatching: search.words)
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

    /// The CIs a caller may see that the filter keeps after `after` (the previous page's last), for
    /// a query that names them `c`.
    mutating func appendInterpolation(ciCandidates search: CISearch, scope: CIScope, after: (name: String, id: Int64)?) {
        appendInterpolation(ciFiltered: search)
        appendLiteral(" AND (")
        appendInterpolation(after?.name)
        appendLiteral("::text IS NULL OR (c.name, c.id) > (")
        appendInterpolation(after?.name)
        appendLiteral(", ")
        appendInterpolation(after?.id)
        appendLiteral(")) AND ")
        appendInterpolation(ciVisibleTo: scope)
    }

    /// One page of the candidates in name order: a subquery of their `id`, for the caller to read
    /// whole. A walk chooses them from the columns of the name index alone (no row is read to be
    /// left out); a gathering reads them all (`OFFSET 0` keeps the planner from walking the name
    /// index for the outer order), then sorts them.
    mutating func appendInterpolation(
        ciPage search: CISearch, scope: CIScope, after: (name: String, id: Int64)?, limit: Int, strategy: CIPageStrategy
    ) {
        switch strategy {
        case .walk:
            appendLiteral("(SELECT c.id FROM cis c WHERE ")
            appendInterpolation(ciCandidates: search, scope: scope, after: after)
            appendLiteral(" ORDER BY c.name, c.id LIMIT ")
        case .gather:
            appendLiteral("(SELECT m.id FROM (SELECT c.id, c.name FROM cis c WHERE ")
            appendInterpolation(ciCandidates: search, scope: scope, after: after)
            appendLiteral(" OFFSET 0) m ORDER BY m.name, m.id LIMIT ")
        }
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
    /// condition per word, so that the trigram index (and the address index) serves each. The
    /// trigram index is given the word's `indexPattern`; when that is only a part of the word, the
    /// whole word is checked on the rows it finds, in a form the index does not take.
    mutating func appendInterpolation(ciMatching words: [CISearchWord]) {
        appendLiteral("TRUE")
        for word in words {
            appendLiteral(" AND ((c.search LIKE ")
            appendInterpolation(word.indexPattern)
            if word.indexPatternIsPart {
                appendLiteral(" AND strpos(c.search, ")
                appendInterpolation(word.folded)
                appendLiteral(") > 0")
            }
            appendLiteral(")")
            if CIFilter.mayStartAddress(word.typed) {
                appendLiteral(" OR host(c.ip) LIKE ")
                appendInterpolation(LikePattern.startingWith(word.typed.lowercased()))
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
