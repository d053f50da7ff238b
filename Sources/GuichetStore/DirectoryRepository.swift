import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// Organisations, people, accounts, tokens, teams and the catalogue.
public struct DirectoryRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The person who writes from `email`, as a principal, if their account is active.
    public func principal(email: String) async throws -> Principal? {
        try await principal(
            """
            SELECT p.id, p.organization_id, a.roles, NULL::text[] FROM people p JOIN accounts a ON a.person_id = p.id
            WHERE lower(p.email) = lower(\(email)) AND p.email <> '' AND NOT a.disabled
            """
        )
    }

    /// A person as a principal, if their account is active (a monitoring source's account, acting
    /// on what its token handed over).
    public func principal(personID: Int64) async throws -> Principal? {
        try await principal(
            """
            SELECT p.id, p.organization_id, a.roles, NULL::text[] FROM people p JOIN accounts a ON a.person_id = p.id
            WHERE p.id = \(personID) AND NOT a.disabled
            """
        )
    }

    /// The caller a live API token belongs to, with the token's scopes, if their account is
    /// active and the token neither revoked nor expired.
    public func principal(tokenHash: Data) async throws -> Principal? {
        try await principal(
            """
            SELECT p.id, p.organization_id, a.roles, t.scopes FROM api_tokens t
            JOIN people p ON p.id = t.person_id JOIN accounts a ON a.person_id = p.id
            WHERE t.token_hash = \(tokenHash) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND NOT a.disabled
            """
        )
    }

    /// Decodes the one row of `query`: person id, organisation id, roles and scopes (`NULL`: what a
    /// person may do, see `Principal`).
    private func principal(_ query: PostgresQuery) async throws -> Principal? {
        let rows = try await connection.query(query, logger: logger)
        for try await (personID, organizationID, roles, scopes) in rows.decode((Int64, Int64, [String], [String]?).self) {
            var principal = Principal(personID: personID, organizationID: organizationID, roles: Set(roles.compactMap(Role.init(rawValue:))))
            if let scopes { principal.scopes = Set(scopes.compactMap(TokenScope.init(rawValue:))) }
            return principal
        }
        return nil
    }

    public func person(id: Int64) async throws -> PersonRecord? {
        let rows = try await connection.query(
            "SELECT id, organization_id, name, email, phone, locale FROM people WHERE id = \(id)",
            logger: logger
        )
        for try await (id, organizationID, name, email, phone, locale) in rows.decode((Int64, Int64, String, String, String?, String).self) {
            return PersonRecord(id: id, organizationID: organizationID, name: name, email: email, phone: phone, locale: locale)
        }
        return nil
    }

    /// An organisation by id or by code (the UAI of an establishment).
    public func organization(idOrCode: String) async throws -> OrganizationRecord? {
        let id = Int64(idOrCode)
        let rows = try await connection.query(
            """
            SELECT id, kind, name, code, parent_id, establishment_type, department_code, city FROM organizations
            WHERE id = \(id) OR upper(code) = upper(\(idOrCode))
            ORDER BY (id = \(id)) DESC LIMIT 1
            """,
            logger: logger
        )
        for try await (id, kind, name, code, parentID, type, department, city) in rows.decode(
            (Int64, String, String, String, Int64?, String?, String?, String?).self
        ) {
            return OrganizationRecord(
                id: id, kind: .init(rawValue: kind) ?? .establishment, name: name, code: code, parentID: parentID, establishmentType: type,
                departmentCode: department, city: city
            )
        }
        return nil
    }

    public func organization(id: Int64) async throws -> OrganizationRecord? {
        try await organization(idOrCode: String(id))
    }

    public func team(id: Int64) async throws -> TeamRecord? {
        let rows = try await connection.query(
            "SELECT id, organization_id, code, name, kind, department_code FROM teams WHERE id = \(id)",
            logger: logger
        )
        for try await (id, organizationID, code, name, kind, department) in rows.decode((Int64, Int64, String, String, String, String?).self) {
            return TeamRecord(
                id: id, organizationID: organizationID, code: code, name: name, kind: .init(rawValue: kind) ?? .serviceDesk,
                departmentCode: department
            )
        }
        return nil
    }

    /// Whether the person belongs to the team.
    public func isMember(personID: Int64, teamID: Int64) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM team_members WHERE person_id = \(personID) AND team_id = \(teamID)",
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }
}
