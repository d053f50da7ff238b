import Foundation
import Logging
import PostgresNIO

/// A notification to write: who, about which ticket, and the rendered message.
public struct NewNotification: Sendable, Equatable {
    /// `nil` for an answer about no ticket (to an unknown sender).
    public var ticketID: Int64?
    public var personID: Int64?
    public var address: String
    public var kind: String
    public var locale: String
    public var messageKey: String
    public var subject: String
    public var text: String
    public var html: String

    public init(
        ticketID: Int64?, personID: Int64?, address: String, kind: String, locale: String, messageKey: String, subject: String, text: String,
        html: String
    ) {
        self.ticketID = ticketID
        self.personID = personID
        self.address = address
        self.kind = kind
        self.locale = locale
        self.messageKey = messageKey
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// A stored notification, with the ticket ref its thread hangs on.
public struct NotificationRecord: Sendable, Equatable {
    public var id: Int64
    public var ticketRef: String?
    public var recipientName: String?
    public var notification: NewNotification
    public var attempts: Int
    public var sentAt: Date?
    public var failedAt: Date?
}

/// The outbox of e-mail notifications.
public struct NotificationRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func insert(_ notification: NewNotification) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO notifications (ticket_id, person_id, address, kind, locale, message_key, subject, text_body, html_body)
            VALUES (\(notification.ticketID), \(notification.personID), \(notification.address), \(notification.kind), \(notification.locale),
                    \(notification.messageKey), \(notification.subject), \(notification.text), \(notification.html))
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.noRowReturned
    }

    /// One notification, locked when asked (the sender holds it while it talks to the server).
    public func find(id: Int64, lock: Bool = false) async throws -> NotificationRecord? {
        let query = Self.findQuery(id: id, lock: lock)
        let rows =
            lock
            ? try await connection.prepared(FindNotificationForUpdate.self, query, logger: logger)
            : try await connection.prepared(FindNotification.self, query, logger: logger)
        for try await row in rows {
            let (id, ref, name, ticketID, personID, address, kind, locale, key, subject, text, html, attempts, sent, failed) = try row.decode(
                (Int64, String?, String?, Int64?, Int64?, String, String, String, String, String, String, String, Int32, Date?, Date?).self
            )
            let notification = NewNotification(
                ticketID: ticketID, personID: personID, address: address, kind: kind, locale: locale, messageKey: key, subject: subject, text: text,
                html: html
            )
            return NotificationRecord(
                id: id, ticketRef: ref, recipientName: name, notification: notification, attempts: Int(attempts), sentAt: sent, failedAt: failed
            )
        }
        return nil
    }

    static func findQuery(id: Int64, lock: Bool) -> PostgresQuery {
        """
        SELECT n.id, t.ref, p.name, n.ticket_id, n.person_id, n.address, n.kind, n.locale, n.message_key, n.subject, n.text_body,
               n.html_body, n.attempts, n.sent_at, n.failed_at
        FROM notifications n LEFT JOIN tickets t ON t.id = n.ticket_id LEFT JOIN people p ON p.id = n.person_id
        WHERE n.id = \(id)
        \(unescaped: lock ? "FOR UPDATE OF n" : "")
        """
    }

    /// Read by every mail sent, once to check it is still to send and once locked to send it.
    struct FindNotification: PreparedQuery {
        static let sql = findQuery(id: 0, lock: false).sql
        let query: PostgresQuery
    }

    struct FindNotificationForUpdate: PreparedQuery {
        static let sql = findQuery(id: 0, lock: true).sql
        let query: PostgresQuery
    }

    /// Whether `address` was sent a notification about no ticket since `since` (answers to unknown
    /// senders are rate-limited, so that a loop or a flood cannot make Guichet a mail cannon).
    public func answeredRecently(_ address: String, since: Date) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM notifications WHERE ticket_id IS NULL AND lower(address) = lower(\(address)) AND created_at > \(since) LIMIT 1",
            logger: logger
        )
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// Records the delivery. A message that carried a secret link (a password reset) keeps no copy
    /// of it once it has left.
    public func markSent(id: Int64) async throws {
        try await connection.query(
            """
            UPDATE notifications SET sent_at = now(), attempts = attempts + 1,
                text_body = CASE WHEN kind = \(Self.secretKind) THEN \(Self.removed) ELSE text_body END,
                html_body = CASE WHEN kind = \(Self.secretKind) THEN \(Self.removed) ELSE html_body END
            WHERE id = \(id)
            """,
            logger: logger
        )
    }

    /// The kind of notification whose body holds a secret, and what replaces it once sent or refused.
    public static let secretKind = "password_reset"
    static let removed = "(the link was removed once the message left)"

    /// Records a failed attempt; `permanently` when the server refused the message for good.
    public func markFailed(id: Int64, error: String, permanently: Bool) async throws {
        try await connection.query(
            """
            UPDATE notifications SET attempts = attempts + 1, last_error = \(String(error.prefix(1000))),
                failed_at = CASE WHEN \(permanently) THEN now() END,
                text_body = CASE WHEN \(permanently) AND kind = \(Self.secretKind) THEN \(Self.removed) ELSE text_body END,
                html_body = CASE WHEN \(permanently) AND kind = \(Self.secretKind) THEN \(Self.removed) ELSE html_body END
            WHERE id = \(id)
            """,
            logger: logger
        )
    }
}
