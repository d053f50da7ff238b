import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// Sessions and sign-in throttling, in PostgreSQL so that any API node serves any request.
public struct SessionRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// What signing in checks: the account's person and password hash, if the login exists.
    public func credentials(login: String) async throws -> (personID: Int64, passwordHash: String, disabled: Bool)? {
        let rows = try await connection.query(
            "SELECT person_id, password_hash, disabled FROM accounts WHERE lower(login) = lower(\(login))",
            logger: logger
        )
        for try await (personID, hash, disabled) in rows.decode((Int64, String, Bool).self) { return (personID, hash, disabled) }
        return nil
    }

    public func create(personID: Int64, tokenHash: Data, csrfToken: String, expiresAt: Date, client: String?) async throws {
        try await connection.query(
            """
            INSERT INTO sessions (token_hash, person_id, csrf_token, expires_at, client)
            VALUES (\(tokenHash), \(personID), \(csrfToken), \(expiresAt), \(client))
            """,
            logger: logger
        )
    }

    /// The live session of a cookie's token; `nil` when unknown, idle longer than `idle`, past its
    /// absolute expiry, or its account disabled. It is marked as seen at most once a minute, so
    /// that a signed-in browser does not write a row on every request.
    public func find(tokenHash: Data, idle: Duration) async throws -> BrowserSession? {
        let idleSeconds = Double(idle.components.seconds)
        let rows = try await connection.query(
            """
            WITH s AS (
                SELECT id, person_id, csrf_token, expires_at, last_seen_at FROM sessions
                WHERE token_hash = \(tokenHash) AND expires_at > now() AND last_seen_at > now() - make_interval(secs => \(idleSeconds))
            ), touched AS (
                UPDATE sessions SET last_seen_at = now()
                WHERE id IN (SELECT id FROM s WHERE last_seen_at < now() - interval '1 minute')
            )
            SELECT s.id, p.id, p.organization_id, a.roles, s.csrf_token, s.expires_at, p.name, p.locale
            FROM s JOIN people p ON p.id = s.person_id JOIN accounts a ON a.person_id = p.id
            WHERE NOT a.disabled
            """,
            logger: logger
        )
        for try await (id, personID, organizationID, roles, csrf, expiresAt, name, locale) in rows.decode(
            (Int64, Int64, Int64, [String], String, Date, String, String).self
        ) {
            let principal = Principal(personID: personID, organizationID: organizationID, roles: Set(roles.compactMap(Role.init(rawValue:))))
            return BrowserSession(id: id, principal: principal, csrfToken: csrf, expiresAt: expiresAt, personName: name, locale: locale)
        }
        return nil
    }

    /// Ends one session; returns whether it was live.
    public func delete(id: Int64) async throws -> Bool {
        let rows = try await connection.query("DELETE FROM sessions WHERE id = \(id) RETURNING 1", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Counts one more sign-in attempt under `key` in the current window of `window`, and returns
    /// the count. One statement that locks the key's row: concurrent attempts get distinct counts.
    public func countAttempt(key: String, window: Duration) async throws -> Int {
        let windowSeconds = Double(window.components.seconds)
        let rows = try await connection.query(
            """
            INSERT INTO login_throttle AS t (key, attempts, window_started_at) VALUES (\(key), 1, now())
            ON CONFLICT (key) DO UPDATE SET
                attempts = CASE WHEN t.window_started_at < now() - make_interval(secs => \(windowSeconds)) THEN 1 ELSE t.attempts + 1 END,
                window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => \(windowSeconds)) THEN now() ELSE t.window_started_at END
            RETURNING attempts
            """,
            logger: logger
        )
        for try await attempts in rows.decode(Int32.self) { return Int(attempts) }
        throw StoreError.noRowReturned
    }

    /// Takes one attempt off `key` (a sign-in that succeeded from this address).
    public func forgiveAttempt(key: String) async throws {
        try await connection.query("UPDATE login_throttle SET attempts = attempts - 1 WHERE key = \(key) AND attempts > 0", logger: logger)
    }

    /// Forgets the attempts under `key` (after a successful sign-in).
    public func clearAttempts(key: String) async throws {
        try await connection.query("DELETE FROM login_throttle WHERE key = \(key)", logger: logger)
    }
}

extension SessionRepository {
    /// How an account is named when it is looked for.
    public enum AccountKey: Sendable {
        case login(String)
        case email(String)
        /// A login, or else an e-mail address (what a person types to reset their password).
        case loginOrEmail(String)
    }

    /// The active account `key` names, with where to write to its owner.
    public func account(_ key: AccountKey) async throws -> (personID: Int64, email: String, name: String, locale: String)? {
        let (login, email): (String?, String?) =
            switch key {
            case .login(let login): (login, nil)
            case .email(let email): (nil, email)
            case .loginOrEmail(let text): (text, text)
            }
        let rows = try await connection.query(
            """
            SELECT p.id, p.email, p.name, p.locale FROM accounts a JOIN people p ON p.id = a.person_id
            WHERE (lower(a.login) = lower(\(login)) OR (lower(p.email) = lower(\(email)) AND p.email <> '')) AND NOT a.disabled
            ORDER BY (lower(a.login) = lower(\(login))) IS TRUE DESC LIMIT 1
            """,
            logger: logger
        )
        for try await (id, email, name, locale) in rows.decode((Int64, String, String, String).self) { return (id, email, name, locale) }
        return nil
    }

    public func createReset(personID: Int64, tokenHash: Data, expiresAt: Date) async throws {
        try await connection.query(
            "INSERT INTO password_resets (token_hash, person_id, expires_at) VALUES (\(tokenHash), \(personID), \(expiresAt))",
            logger: logger
        )
    }

    /// Uses a reset token once: returns its person if the token is known, unused and not expired,
    /// and marks it used in the same statement (a second use finds nothing).
    public func useReset(tokenHash: Data) async throws -> Int64? {
        let rows = try await connection.query(
            """
            UPDATE password_resets SET used_at = now()
            WHERE token_hash = \(tokenHash) AND used_at IS NULL AND expires_at > now()
            RETURNING person_id
            """,
            logger: logger
        )
        for try await personID in rows.decode(Int64.self) { return personID }
        return nil
    }
}

extension SessionRepository {
    /// Deletes what sign-in leaves behind: sessions past their expiry or idle longer than `idle`,
    /// throttle windows closed for a day, reset tokens used or expired a day ago. Returns how many rows.
    public func purge(idle: Duration) async throws -> Int {
        let idleSeconds = Double(idle.components.seconds)
        let rows = try await connection.query(
            """
            WITH s AS (
                DELETE FROM sessions WHERE expires_at < now() OR last_seen_at < now() - make_interval(secs => \(idleSeconds)) RETURNING 1
            ), t AS (
                DELETE FROM login_throttle WHERE window_started_at < now() - interval '1 day' RETURNING 1
            ), r AS (
                DELETE FROM password_resets WHERE expires_at < now() - interval '1 day' RETURNING 1
            )
            SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM t) + (SELECT count(*) FROM r)
            """,
            logger: logger
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}
