import PostgresNIO

/// A person found by a search, with where they work.
public struct PersonMatch: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var email: String
    public var phone: String?
    public var organization: String
}

extension DirectoryRepository {
    /// People of establishments whose name, e-mail or phone contains `text` (case and accents
    /// ignored), for an agent taking a call; at most `limit`, by name.
    public func searchPeople(_ text: String, limit: Int) async throws -> [PersonMatch] {
        let pattern = LikePattern.containing(text)
        let rows = try await connection.query(
            """
            SELECT p.id, p.name, p.email, p.phone, o.name FROM people p JOIN organizations o ON o.id = p.organization_id
            WHERE o.kind = 'establishment'
              AND (p.name ILIKE \(pattern) OR p.email ILIKE \(pattern) OR coalesce(p.phone, '') ILIKE \(pattern))
            ORDER BY p.name, p.id LIMIT \(limit)
            """,
            logger: logger
        )
        var people: [PersonMatch] = []
        for try await (id, name, email, phone, organization) in rows.decode((Int64, String, String, String?, String).self) {
            people.append(PersonMatch(id: id, name: name, email: email, phone: phone, organization: organization))
        }
        return people
    }
}
