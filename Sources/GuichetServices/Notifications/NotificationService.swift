import GuichetStore
import Logging

/// The outbox as the mail workers see it: a stored notification to send, then its outcome.
public struct NotificationService: Sendable {
    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// The notification, unless it was sent or refused for good already (a job run again).
    public func unsent(id: Int64) async throws -> NotificationRecord? {
        let stored = try await database.client.withConnection { try await NotificationRepository(connection: $0, logger: logger).find(id: id) }
        guard let stored, stored.sentAt == nil, stored.failedAt == nil else { return nil }
        return stored
    }

    public func markSent(id: Int64) async throws {
        try await database.client.withConnection { try await NotificationRepository(connection: $0, logger: logger).markSent(id: id) }
    }

    /// `permanently`: the server refused it for good; it is not sent again.
    public func markFailed(id: Int64, error: String, permanently: Bool) async throws {
        try await database.client.withConnection {
            try await NotificationRepository(connection: $0, logger: logger).markFailed(id: id, error: error, permanently: permanently)
        }
    }
}
