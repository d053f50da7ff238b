import Foundation
import PostgresNIO

/// Who escalations go to.
extension DirectoryRepository {
    /// The leads of a team, whose accounts are active.
    public func teamLeads(teamID: Int64) async throws -> [Int64] {
        try await people(
            """
            SELECT m.person_id FROM team_members m JOIN accounts a ON a.person_id = m.person_id
            WHERE m.team_id = \(teamID) AND m.role = 'lead' AND NOT a.disabled ORDER BY m.person_id
            """
        )
    }

    /// The agents on call, in any team.
    public func onCallAgents() async throws -> [Int64] {
        try await people(
            """
            SELECT DISTINCT m.person_id FROM team_members m JOIN accounts a ON a.person_id = m.person_id
            WHERE m.on_call AND NOT a.disabled ORDER BY m.person_id
            """
        )
    }

    /// The service centre's managers: its administrators.
    public func serviceManagers() async throws -> [Int64] {
        try await people("SELECT person_id FROM accounts WHERE 'admin' = ANY(roles) AND NOT disabled ORDER BY person_id")
    }

    /// Puts the leads of the teams named by `teamCodes` on call (the demo's rota).
    public func putLeadsOnCall(teamCodes: [String]) async throws {
        try await connection.query(
            """
            UPDATE team_members SET on_call = true
            WHERE role = 'lead' AND NOT on_call AND team_id IN (SELECT id FROM teams WHERE code = ANY(\(teamCodes)))
            """,
            logger: logger
        )
    }

    private func people(_ query: PostgresQuery) async throws -> [Int64] {
        var ids: [Int64] = []
        for try await id in try await connection.query(query, logger: logger).decode(Int64.self) { ids.append(id) }
        return ids
    }
}
