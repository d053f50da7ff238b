import Foundation
import GuichetDomain
import GuichetStore
import Logging
import PostgresNIO

/// Accounts and API tokens, as operators (`guichet user ...`) and their owners manage them. Each
/// change is recorded in the audit log in the transaction that makes it.
public struct AccountService: Sendable {
    let database: Database
    let logger: Logger
    let clock: WallClock

    public init(database: Database, logger: Logger, clock: WallClock = .system) {
        self.database = database
        self.logger = logger
        self.clock = clock
    }

    /// Who acts, for the audit log: a person through the API, or an operator on the command line.
    public struct Actor: Sendable {
        public var personID: Int64?
        public var requestID: String?
        public var detail: String?

        public init(personID: Int64? = nil, requestID: String? = nil, detail: String? = nil) {
            self.personID = personID
            self.requestID = requestID
            self.detail = detail
        }

        public static let commandLine = Actor(detail: "command line")
    }

    public struct NewUser: Sendable {
        public var login: String
        public var name: String
        public var email: String
        public var organizationCode: String
        public var roles: [Role]
        public var locale: String

        public init(login: String, name: String, email: String, organizationCode: String, roles: [Role], locale: String = "fr") {
            self.login = login
            self.name = name
            self.email = email
            self.organizationCode = organizationCode
            self.roles = roles
            self.locale = locale
        }
    }

    /// Creates a person and their account with `password` (or none: they sign in another way).
    public func add(_ user: NewUser, password: String?, by actor: Actor) async throws -> Int64 {
        let login = user.login.trimmingCharacters(in: .whitespaces)
        guard (3...100).contains(login.count), login.allSatisfy({ $0.isLetter || $0.isNumber || ".-_@".contains($0) }) else {
            throw ServiceError.invalid("login", "A login has 3 to 100 letters, digits, dots, dashes, underscores or @.")
        }
        guard !user.roles.isEmpty else { throw ServiceError.invalid("roles", "Give the account at least one role.") }
        if let password { try Self.checkStrength(password) }
        let hash = password.map(PasswordHash.make) ?? PasswordHash.locked
        return try await database.transaction { connection in
            let directory = DirectoryRepository(connection: connection, logger: logger)
            guard let organization = try await directory.organization(idOrCode: user.organizationCode) else {
                throw ServiceError.invalid("organization", "No organisation has the id or code '\(user.organizationCode)'.")
            }
            if try await directory.account(login: login) != nil { throw ServiceError.conflict("An account with the login '\(login)' exists.") }
            let personID = try await directory.insert(
                PersonRecord(id: 0, organizationID: organization.id, name: user.name, email: user.email, phone: nil, locale: user.locale)
            )
            try await directory.upsertAccount(personID: personID, login: login, passwordHash: hash, roles: user.roles)
            try await audit(
                "account.created", actor: actor, object: "account", id: personID,
                after: ["login": login, "roles": user.roles.map(\.rawValue).joined(separator: ","), "organization": organization.code],
                on: connection
            )
            return personID
        }
    }

    /// Disables (or enables again) an account: its tokens stop working at once.
    public func setDisabled(_ disabled: Bool, login: String, by actor: Actor) async throws {
        try await database.transaction { connection in
            let directory = DirectoryRepository(connection: connection, logger: logger)
            guard let account = try await directory.account(login: login) else { throw ServiceError.notFound("account \(login)") }
            _ = try await directory.setDisabled(disabled, personID: account.personID)
            try await audit(
                disabled ? "account.disabled" : "account.enabled", actor: actor, object: "account", id: account.personID,
                before: ["disabled": "\(account.disabled)"], after: ["disabled": "\(disabled)"], on: connection
            )
        }
    }

    public func resetPassword(login: String, to password: String, by actor: Actor) async throws {
        try Self.checkStrength(password)
        let hash = PasswordHash.make(password)
        try await database.transaction { connection in
            let directory = DirectoryRepository(connection: connection, logger: logger)
            guard let account = try await directory.account(login: login) else { throw ServiceError.notFound("account \(login)") }
            _ = try await directory.setPassword(hash: hash, personID: account.personID)
            try await audit("account.password_reset", actor: actor, object: "account", id: account.personID, on: connection)
        }
    }

    public func setRoles(_ roles: [Role], login: String, by actor: Actor) async throws {
        guard !roles.isEmpty else { throw ServiceError.invalid("roles", "Give the account at least one role.") }
        try await database.transaction { connection in
            let directory = DirectoryRepository(connection: connection, logger: logger)
            guard let account = try await directory.account(login: login) else { throw ServiceError.notFound("account \(login)") }
            _ = try await directory.setRoles(roles, personID: account.personID)
            try await audit(
                "account.roles_changed", actor: actor, object: "account", id: account.personID,
                before: ["roles": account.roles.map(\.rawValue).joined(separator: ",")], after: ["roles": roles.map(\.rawValue).joined(separator: ",")],
                on: connection
            )
        }
    }

    /// Issues a named, scoped token for the account, valid `days` days (`nil`: until revoked).
    /// Returns its record and the token, which nobody will see again.
    public func createToken(login: String, label: String, scopes: [TokenScope], days: Int?, by actor: Actor) async throws -> (TokenRecord, String) {
        let label = label.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(label.count) else { throw ServiceError.invalid("name", "A token's name has 1 to 100 characters.") }
        guard !scopes.isEmpty else { throw ServiceError.invalid("scopes", "Give the token at least one scope: read, write or admin.") }
        if let days, !(1...730).contains(days) { throw ServiceError.invalid("expires_in_days", "A token lives 1 to 730 days.") }
        let expiresAt = days.map { clock.now().addingTimeInterval(Double($0) * 86_400) }
        return try await database.transaction { connection in
            let directory = DirectoryRepository(connection: connection, logger: logger)
            guard let account = try await directory.account(login: login) else { throw ServiceError.notFound("account \(login)") }
            if scopes.contains(.admin) && !account.roles.contains(.admin) {
                throw ServiceError.invalid("scopes", "Only an administrator's token may have the admin scope.")
            }
            let issued = try await directory.issueToken(personID: account.personID, label: label, scopes: scopes, expiresAt: expiresAt)
            try await audit(
                "token.created", actor: actor, object: "token", id: issued.record.id,
                after: ["owner": "\(account.personID)", "name": label, "scopes": scopes.map(\.rawValue).joined(separator: ",")], on: connection
            )
            return issued
        }
    }

    /// Revokes a token; `owner` limits it to that person's own tokens (a person through the API).
    public func revokeToken(id: Int64, owner: Int64?, by actor: Actor) async throws {
        try await database.transaction { connection in
            guard let revoked = try await DirectoryRepository(connection: connection, logger: logger).revokeToken(id: id, owner: owner) else {
                throw ServiceError.notFound("token \(id)")
            }
            try await audit("token.revoked", actor: actor, object: "token", id: id, before: ["owner": "\(revoked.personID)", "name": revoked.label], on: connection)
        }
    }

    static func checkStrength(_ password: String) throws(ServiceError) {
        guard password.count >= 12 else { throw ServiceError.invalid("password", "A password has at least 12 characters.") }
        guard password.utf8.count <= PasswordHash.maximumBytes else {
            throw ServiceError.invalid("password", "A password has at most \(PasswordHash.maximumBytes) bytes (bcrypt reads no further).")
        }
    }

    private func audit(
        _ kind: String, actor: Actor, object: String, id: Int64, before: [String: String]? = nil, after: [String: String]? = nil,
        on connection: PostgresConnection
    ) async throws {
        func json(_ fields: [String: String]?) throws -> String? {
            try fields.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        }
        try await AuditRepository(connection: connection, logger: logger).record(
            AuditEntry(
                actorID: actor.personID, kind: kind, objectType: object, objectID: "\(id)", before: try json(before), after: try json(after),
                detail: actor.detail, requestID: actor.requestID
            )
        )
    }
}
