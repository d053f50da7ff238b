import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// Signing in with a login and password: throttled per account and per address, answering the
/// same for unknown accounts and wrong passwords, a new session at each sign-in, audited.
public struct SessionService: Sendable {
    public struct Policy: Sendable {
        /// A session unused this long ends.
        public var idle: Duration = .seconds(30 * 60)
        /// A session ends this long after sign-in, used or not.
        public var absolute: Duration = .seconds(12 * 3600)
        /// Attempts allowed per login, and per client address, in each window.
        public var attemptsPerLogin = 5
        public var attemptsPerAddress = 20
        public var window: Duration = .seconds(15 * 60)

        public init() {}
    }

    /// A new session: the cookie's token (seen only by the browser) and what the page needs.
    public struct SignedIn: Sendable {
        public let token: String
        public let csrfToken: String
        public let expiresAt: Date
        public let principal: Principal
    }

    let database: Database
    let logger: Logger
    let policy: Policy
    let clock: WallClock
    let audit: AuditService

    public init(database: Database, logger: Logger, policy: Policy = Policy(), clock: WallClock = .system) {
        self.database = database
        self.logger = logger
        self.policy = policy
        self.clock = clock
        self.audit = AuditService(database: database, logger: logger)
    }

    public func signIn(login: String, password: String, client: String?, requestID: String?) async throws -> SignedIn {
        let login = login.trimmingCharacters(in: .whitespaces).lowercased()
        guard !login.isEmpty, login.count <= 100, !password.isEmpty, password.count <= 200 else { throw ServiceError.signInFailed }
        let (perLogin, perAddress, credentials) = try await database.client.withConnection { connection in
            let sessions = SessionRepository(connection: connection, logger: logger)
            let perLogin = try await sessions.countAttempt(key: "login:\(login)", window: policy.window)
            var perAddress = 0
            if let client { perAddress = try await sessions.countAttempt(key: "address:\(client)", window: policy.window) }
            return (perLogin, perAddress, try await sessions.credentials(login: login))
        }
        if perLogin > policy.attemptsPerLogin || perAddress > policy.attemptsPerAddress {
            // the caller is unknown: the account is what the attempt was about, not who made it
            await audit.record(
                AuditEntry(actorID: nil, kind: "signin.throttled", objectType: "account", objectID: credentials.map { "\($0.personID)" }, requestID: requestID, client: client)
            )
            throw ServiceError.tooManyAttempts(retryAfter: policy.window)
        }
        // an unknown login, or an account without a password, costs the same bcrypt as a wrong
        // password, so that timing tells nothing either
        let stored = credentials.map(\.passwordHash).flatMap { PasswordHash.isHash($0) ? $0 : nil }
        let valid = PasswordHash.verify(password, against: stored ?? Self.decoyHash) && stored != nil
        guard valid, let credentials, !credentials.disabled else {
            await audit.record(
                AuditEntry(actorID: nil, kind: "signin.failure", objectType: "account", objectID: credentials.map { "\($0.personID)" }, requestID: requestID, client: client)
            )
            throw ServiceError.signInFailed
        }
        return try await openSession(personID: credentials.personID, client: client, requestID: requestID, afterPasswordOf: login, detail: nil)
    }

    /// Opens a new session for a person who proved who they are (password or the schools' SSO):
    /// a new random token, never one the browser brought. After a password (`login`), the login's
    /// attempts are forgotten, and the address's by one: an address counts its failures, not its
    /// sign-ins, as a school behind one address signs in all day.
    func openSession(personID: Int64, client: String?, requestID: String?, afterPasswordOf login: String?, detail: String?) async throws -> SignedIn {
        let token = SessionToken.generate()
        let csrf = SessionToken.generate()
        let expiresAt = clock.now().addingTimeInterval(Double(policy.absolute.components.seconds))
        let session = try await database.transaction { connection in
            let sessions = SessionRepository(connection: connection, logger: logger)
            if let login {
                try await sessions.clearAttempts(key: "login:\(login)")
                if let client { try await sessions.forgiveAttempt(key: "address:\(client)") }
            }
            try await sessions.create(personID: personID, tokenHash: SessionToken.hash(token), csrfToken: csrf, expiresAt: expiresAt, client: client)
            try await AuditRepository(connection: connection, logger: logger).record(
                AuditEntry(actorID: personID, kind: "signin.success", objectType: "session", detail: detail, requestID: requestID, client: client)
            )
            return try await sessions.find(tokenHash: SessionToken.hash(token), idle: policy.idle)
        }
        guard let session else { throw ServiceError.signInFailed }
        return SignedIn(token: token, csrfToken: csrf, expiresAt: expiresAt, principal: session.principal)
    }

    /// Ended sessions, closed throttle windows and spent reset links go; refused tokens counted in
    /// hours now over are summed up in the audit log.
    public func purge() async throws -> Int {
        try await database.transaction { connection in
            let purged = try await SessionRepository(connection: connection, logger: logger).purge(idle: policy.idle)
            return purged + (try await AuditRepository(connection: connection, logger: logger).summarizeRefusedTokens())
        }
    }

    /// The caller a live API token belongs to, with the token's scopes; `nil` for a token that
    /// is unknown, revoked, expired, or of a disabled account.
    public func principal(apiToken token: String) async throws -> Principal? {
        guard token.count <= 256 else { return nil }
        return try await database.client.withConnection { connection in
            try await DirectoryRepository(connection: connection, logger: logger).principal(tokenHash: APIToken.hash(token))
        }
    }

    /// The live session of a cookie's token.
    public func session(token: String) async throws -> BrowserSession? {
        guard token.count <= 64 else { return nil }
        return try await database.client.withConnection { connection in
            try await SessionRepository(connection: connection, logger: logger).find(tokenHash: SessionToken.hash(token), idle: policy.idle)
        }
    }

    public func signOut(_ session: BrowserSession, requestID: String?, client: String?) async throws {
        try await database.transaction { connection in
            _ = try await SessionRepository(connection: connection, logger: logger).delete(id: session.id)
            try await AuditRepository(connection: connection, logger: logger).record(
                AuditEntry(actorID: session.principal.personID, kind: "signout", objectType: "session", objectID: "\(session.id)", requestID: requestID, client: client)
            )
        }
    }

    /// A hash no password matches, checked when the login is unknown.
    static let decoyHash = PasswordHash.make(SessionToken.generate())
}
