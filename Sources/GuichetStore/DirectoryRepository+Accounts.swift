import Foundation
import GuichetDomain
import PostgresNIO

/// An account as operators manage it.
public struct AccountRecord: Sendable, Equatable {
    public let personID: Int64
    public let login: String
    public let roles: [Role]
    public let disabled: Bool
}

/// An API token as its owner and operators see it: never the token itself.
public struct TokenRecord: Sendable, Equatable, Codable {
    public let id: Int64
    public let personID: Int64
    public let label: String
    public let scopes: [TokenScope]
    public let createdAt: Date
    public let expiresAt: Date?
    public let revokedAt: Date?
}

extension DirectoryRepository {
    public func account(login: String) async throws -> AccountRecord? {
        let rows = try await connection.query(
            "SELECT person_id, login, roles, disabled FROM accounts WHERE lower(login) = lower(\(login))",
            logger: logger
        )
        for try await (personID, login, roles, disabled) in rows.decode((Int64, String, [String], Bool).self) {
            return AccountRecord(personID: personID, login: login, roles: roles.compactMap(Role.init(rawValue:)), disabled: disabled)
        }
        return nil
    }

    /// Disables or enables an account; returns whether it existed.
    public func setDisabled(_ disabled: Bool, personID: Int64) async throws -> Bool {
        try await updated("UPDATE accounts SET disabled = \(disabled) WHERE person_id = \(personID) RETURNING 1")
    }

    public func setPassword(hash: String, personID: Int64) async throws -> Bool {
        try await updated("UPDATE accounts SET password_hash = \(hash) WHERE person_id = \(personID) RETURNING 1")
    }

    public func setRoles(_ roles: [Role], personID: Int64) async throws -> Bool {
        try await updated("UPDATE accounts SET roles = \(roles.map(\.rawValue)) WHERE person_id = \(personID) RETURNING 1")
    }

    /// Records a named, scoped API token that may expire, by its hash (the token itself is never stored).
    public func insertToken(hash: Data, personID: Int64, label: String, scopes: [TokenScope], expiresAt: Date?) async throws -> TokenRecord {
        let issued = try await tokens(
            """
            INSERT INTO api_tokens (person_id, token_hash, label, scopes, expires_at)
            VALUES (\(personID), \(hash), \(label), \(scopes.map(\.rawValue)), \(expiresAt))
            RETURNING id, person_id, label, scopes, created_at, expires_at, revoked_at
            """
        )
        guard let record = issued.first else { throw StoreError.noRowReturned }
        return record
    }

    /// Revokes a live token; `owner` limits it to that person's tokens. Returns the token revoked.
    public func revokeToken(id: Int64, owner: Int64?) async throws -> TokenRecord? {
        try await tokens(
            """
            UPDATE api_tokens SET revoked_at = now()
            WHERE id = \(id) AND revoked_at IS NULL AND (\(owner)::bigint IS NULL OR person_id = \(owner))
            RETURNING id, person_id, label, scopes, created_at, expires_at, revoked_at
            """
        ).first
    }

    private func tokens(_ query: PostgresQuery) async throws -> [TokenRecord] {
        let rows = try await connection.query(query, logger: logger)
        var tokens: [TokenRecord] = []
        for try await (id, personID, label, scopes, createdAt, expiresAt, revokedAt) in rows.decode(
            (Int64, Int64, String, [String], Date, Date?, Date?).self
        ) {
            tokens.append(
                TokenRecord(
                    id: id, personID: personID, label: label, scopes: scopes.compactMap(TokenScope.init(rawValue:)), createdAt: createdAt,
                    expiresAt: expiresAt, revokedAt: revokedAt
                )
            )
        }
        return tokens
    }

    private func updated(_ query: PostgresQuery) async throws -> Bool {
        let rows = try await connection.query(query, logger: logger)
        for try await _ in rows { return true }
        return false
    }
}

/// One rule of a partner's perimeter: an explicit establishment, or every establishment of a type
/// and/or a département (neither: all of them).
public struct PerimeterRule: Sendable, Equatable {
    public var establishmentID: Int64?
    public var establishmentType: String?
    public var departmentCode: String?

    public init(establishmentID: Int64? = nil, establishmentType: String? = nil, departmentCode: String? = nil) {
        self.establishmentID = establishmentID
        self.establishmentType = establishmentType
        self.departmentCode = departmentCode
    }
}

extension DirectoryRepository {
    /// Replaces the perimeter of the partner organisation `partnerID`.
    public func setPerimeter(partnerID: Int64, rules: [PerimeterRule]) async throws {
        try await connection.query("DELETE FROM partner_perimeters WHERE partner_id = \(partnerID)", logger: logger)
        for rule in rules {
            try await connection.query(
                """
                INSERT INTO partner_perimeters (partner_id, establishment_id, establishment_type, department_code)
                VALUES (\(partnerID), \(rule.establishmentID), \(rule.establishmentType), \(rule.departmentCode))
                """,
                logger: logger
            )
        }
    }
}
