import Foundation
import Logging
import PostgresNIO

/// The messages received by mail, one per Message-ID.
public struct InboundMessageRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Records a message; false when its Message-ID was received before (it must not act twice).
    public func record(messageID: String, sender: String, outcome: String, ticketID: Int64?) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO inbound_messages (message_id, sender, outcome, ticket_id)
            VALUES (\(messageID), \(sender), \(outcome), \(ticketID))
            ON CONFLICT (message_id) DO NOTHING RETURNING 1
            """,
            logger: logger
        )
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// Whether a message with this Message-ID was received before.
    public func received(messageID: String) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM inbound_messages WHERE message_id = \(messageID)", logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// Whether `messageKey` (a Message-ID's local part) is one of Guichet's own notifications.
    public func isOurs(messageKey: String) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM notifications WHERE message_key = \(messageKey)", logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }
}
