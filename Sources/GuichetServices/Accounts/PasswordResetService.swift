import Foundation
import GuichetDomain
import GuichetQueue
import GuichetStore
import Logging
import PostgresNIO

/// Password reset by e-mail: a single-use link that expires. Asking answers the same whether or
/// not an account matches, and is limited per account so that nobody floods a mailbox.
public struct PasswordResetService: Sendable {
    public static let lifetime: Duration = .seconds(30 * 60)
    static let requestsPerHour = 3

    let database: Database
    let transactions: Transactions
    let logger: Logger
    let clock: WallClock
    /// Where users reach Guichet: the link points to its reset page.
    let publicURL: String?

    public init(database: Database, notifier: JobNotifier, logger: Logger, clock: WallClock = .system, publicURL: String?) {
        self.database = database
        transactions = Transactions(database: database, notifier: notifier)
        self.logger = logger
        self.clock = clock
        self.publicURL = publicURL
    }

    /// Sends a reset link to the account that `loginOrEmail` names, if there is one and it asked
    /// less than three times in the hour. Says nothing either way.
    public func request(loginOrEmail: String, client: String?, requestID: String?) async throws {
        let key = loginOrEmail.trimmingCharacters(in: .whitespaces).lowercased()
        guard !key.isEmpty, key.count <= 200 else { throw ServiceError.invalid("login", "Give your login or your e-mail address.") }
        try await transactions.run { work in
            let connection = work.connection
            let sessions = SessionRepository(connection: connection, logger: logger)
            guard let account = try await sessions.account(.loginOrEmail(key)) else { return }
            let audit = AuditRepository(connection: connection, logger: logger)
            guard try await sessions.countAttempt(key: "reset:\(account.personID)", window: .seconds(3600)) <= Self.requestsPerHour else {
                try await audit.record(
                    AuditEntry(actorID: nil, kind: "password_reset.throttled", objectType: "account", objectID: "\(account.personID)", requestID: requestID, client: client)
                )
                return
            }
            let token = APIToken.generate()
            let minutes = Int(Self.lifetime.components.seconds / 60)
            try await sessions.createReset(
                personID: account.personID, tokenHash: APIToken.hash(token), expiresAt: clock.now().addingTimeInterval(Double(minutes * 60))
            )
            let base = (publicURL ?? "http://127.0.0.1:8080").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            let content = NotificationTemplates.passwordReset(
                name: account.name, link: "\(base)/reset-password?token=\(token)", minutes: minutes, locale: account.locale
            )
            let id = try await NotificationRepository(connection: connection, logger: logger).insert(
                NewNotification(
                    ticketID: nil, personID: account.personID, address: account.email, kind: NotificationRepository.secretKind, locale: account.locale,
                    messageKey: "guichet.\(UUID().uuidString.lowercased())", subject: content.subject, text: content.text, html: content.html
                )
            )
            try await NotificationComposer(work: work, publicURL: publicURL).enqueueDelivery(of: id)
            try await audit.record(
                AuditEntry(actorID: nil, kind: "password_reset.requested", objectType: "account", objectID: "\(account.personID)", requestID: requestID, client: client)
            )
        }
    }

    /// Sets a new password with a reset token: once, before it expires. Every session of the
    /// account ends (the database does it when the password changes).
    public func complete(token: String, newPassword: String, client: String?, requestID: String?) async throws {
        try AccountService.checkStrength(newPassword)
        let refused = ServiceError.invalid("token", "This link is unknown, used or expired; ask for a new one.")
        guard token.count <= 100 else { throw refused }
        if let client {
            let attempts = try await database.client.withConnection { connection in
                try await SessionRepository(connection: connection, logger: logger).countAttempt(key: "reset:\(client)", window: .seconds(15 * 60))
            }
            guard attempts <= 20 else { throw ServiceError.tooManyAttempts(retryAfter: .seconds(15 * 60)) }
        }
        try await database.transaction { connection in
            // the token is checked, and spent, before the password is hashed: a forged one costs no bcrypt
            guard let personID = try await SessionRepository(connection: connection, logger: logger).useReset(tokenHash: APIToken.hash(token)) else {
                throw refused
            }
            _ = try await DirectoryRepository(connection: connection, logger: logger).setPassword(hash: PasswordHash.make(newPassword), personID: personID)
            try await AuditRepository(connection: connection, logger: logger).record(
                AuditEntry(actorID: personID, kind: "password_reset.completed", objectType: "account", objectID: "\(personID)", requestID: requestID, client: client)
            )
        }
    }
}
