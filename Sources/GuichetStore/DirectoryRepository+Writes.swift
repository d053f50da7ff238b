import Foundation
import GuichetDomain
import PostgresNIO

extension DirectoryRepository {
    public func insert(_ organization: OrganizationRecord) async throws -> Int64 {
        try await returningID(
            """
            INSERT INTO organizations (kind, name, code, parent_id, establishment_type, department_code, city)
            VALUES (\(organization.kind.rawValue), \(organization.name), \(organization.code), \(organization.parentID),
                    \(organization.establishmentType), \(organization.departmentCode), \(organization.city))
            RETURNING id
            """
        )
    }

    public func insert(_ person: PersonRecord) async throws -> Int64 {
        try await returningID(
            """
            INSERT INTO people (organization_id, name, email, phone, locale)
            VALUES (\(person.organizationID), \(person.name), \(person.email), \(person.phone), \(person.locale))
            RETURNING id
            """
        )
    }

    /// Creates or replaces the account of a person.
    public func upsertAccount(personID: Int64, login: String, passwordHash: String, roles: [Role]) async throws {
        try await connection.query(
            """
            INSERT INTO accounts (person_id, login, password_hash, roles)
            VALUES (\(personID), \(login), \(passwordHash), \(roles.map(\.rawValue)))
            ON CONFLICT (person_id) DO UPDATE SET login = excluded.login, password_hash = excluded.password_hash,
                roles = excluded.roles, disabled = false
            """,
            logger: logger
        )
    }

    /// Revokes every live token of a person with this label.
    public func revokeTokens(personID: Int64, label: String) async throws {
        try await connection.query(
            "UPDATE api_tokens SET revoked_at = now() WHERE person_id = \(personID) AND label = \(label) AND revoked_at IS NULL",
            logger: logger
        )
    }

    public func insert(_ team: TeamRecord) async throws -> Int64 {
        try await returningID(
            """
            INSERT INTO teams (organization_id, code, name, kind, department_code)
            VALUES (\(team.organizationID), \(team.code), \(team.name), \(team.kind.rawValue), \(team.departmentCode))
            RETURNING id
            """
        )
    }

    public func addMember(teamID: Int64, personID: Int64, lead: Bool, available: Bool = true) async throws {
        try await connection.query(
            """
            INSERT INTO team_members (team_id, person_id, role, available)
            VALUES (\(teamID), \(personID), \(lead ? "lead" : "agent"), \(available))
            ON CONFLICT (team_id, person_id) DO UPDATE SET role = excluded.role, available = excluded.available
            """,
            logger: logger
        )
    }

    public func insert(_ service: ServiceRecord) async throws -> Int64 {
        try await returningID(
            """
            INSERT INTO services (code, family, name, subcategory, in_perimeter)
            VALUES (\(service.code), \(service.family), \(service.name), \(service.subcategory), \(service.inPerimeter))
            RETURNING id
            """
        )
    }

    public func insert(_ rule: RoutingRule) async throws {
        let (teamID, departmentKind): (Int64?, String?) =
            switch rule.target {
            case .team(let id): (id, nil)
            case .departmentTeam(let kind): (nil, kind.rawValue)
            }
        try await connection.query(
            """
            INSERT INTO routing_rules (position, service_family, ticket_kind, ci_family, ci_class, department_code, team_id, department_team_kind)
            VALUES (
                \(rule.position), \(rule.serviceFamily), \(rule.ticketKind?.rawValue), \(rule.ciFamily?.rawValue), \(rule.ciClass?.rawValue),
                \(rule.departmentCode), \(teamID), \(departmentKind)
            )
            """,
            logger: logger
        )
    }

    /// The id of the person with this account login, if any.
    public func personID(login: String) async throws -> Int64? {
        let rows = try await connection.query("SELECT person_id FROM accounts WHERE login = \(login)", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    func returningID(_ query: PostgresQuery) async throws -> Int64 {
        let rows = try await connection.query(query, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.noRowReturned
    }
}
