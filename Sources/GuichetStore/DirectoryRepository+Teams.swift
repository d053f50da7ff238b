import PostgresNIO

extension DirectoryRepository {
    /// Every team, by name: where a ticket can be assigned or escalated.
    public func teams() async throws -> [TeamRecord] {
        let rows = try await connection.query(
            "SELECT id, organization_id, code, name, kind, department_code FROM teams ORDER BY name, id",
            logger: logger
        )
        var teams: [TeamRecord] = []
        for try await (id, organizationID, code, name, kind, department) in rows.decode((Int64, Int64, String, String, String, String?).self) {
            teams.append(
                TeamRecord(id: id, organizationID: organizationID, code: code, name: name, kind: .init(rawValue: kind) ?? .serviceDesk, departmentCode: department)
            )
        }
        return teams
    }
}
