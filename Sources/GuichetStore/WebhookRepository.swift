import Foundation
import Logging
import PostgresNIO

/// A subscription as administrators see it: never its secret.
public struct WebhookSubscription: Sendable, Equatable, Codable {
    public var id: Int64
    public var url: String
    public var events: [String]
    public var allowPrivate: Bool
    public var active: Bool
    public var createdAt: Date
    public var delivered: Int
    public var failing: Int
}

/// What a delivery job needs: the delivery, and where and how to sign it.
public struct WebhookDelivery: Sendable, Equatable {
    public var id: Int64
    public var deliveryID: UUID
    public var eventType: String
    public var payload: String
    public var url: String
    /// As stored: sealed (`SecretBox`), or plain for a subscription made before sealing.
    public var secret: String
    public var allowPrivate: Bool
    public var done: Bool
}

public struct WebhookRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func insert(url: String, secret: String, events: [String], allowPrivate: Bool, createdBy: Int64) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO webhook_subscriptions (url, secret, event_types, allow_private, created_by)
            VALUES (\(url), \(secret), \(events), \(allowPrivate), \(createdBy)) RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.noRowReturned
    }

    /// The active subscriptions with how many deliveries went through and how many are failing.
    public func list() async throws -> [WebhookSubscription] {
        let rows = try await connection.query(
            """
            SELECT s.id, s.url, s.event_types, s.allow_private, s.active, s.created_at,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.delivered_at IS NOT NULL),
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.delivered_at IS NULL AND d.attempts > 0)
            FROM webhook_subscriptions s WHERE s.active ORDER BY s.id
            """,
            logger: logger
        )
        var subscriptions: [WebhookSubscription] = []
        for try await (id, url, events, allowPrivate, active, createdAt, delivered, failing) in rows.decode(
            (Int64, String, [String], Bool, Bool, Date, Int64, Int64).self
        ) {
            subscriptions.append(
                WebhookSubscription(
                    id: id, url: url, events: events, allowPrivate: allowPrivate, active: active, createdAt: createdAt, delivered: Int(delivered),
                    failing: Int(failing)
                )
            )
        }
        return subscriptions
    }

    /// Stops a subscription; pending deliveries are dropped by their jobs. Returns false when unknown.
    public func deactivate(id: Int64) async throws -> Bool {
        let rows = try await connection.query(
            "UPDATE webhook_subscriptions SET active = false WHERE id = \(id) AND active RETURNING id", logger: logger
        )
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    public func delivery(id: Int64) async throws -> WebhookDelivery? {
        let rows = try await connection.query(
            """
            SELECT d.id, d.delivery_id, d.event_type, d.payload::text, s.url, s.secret, s.allow_private,
                   d.delivered_at IS NOT NULL OR d.failed_at IS NOT NULL OR NOT s.active
            FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = \(id)
            """,
            logger: logger
        )
        for try await (id, deliveryID, event, payload, url, secret, allowPrivate, done) in rows.decode(
            (Int64, UUID, String, String, String, String, Bool, Bool).self
        ) {
            return WebhookDelivery(
                id: id, deliveryID: deliveryID, eventType: event, payload: payload, url: url, secret: secret, allowPrivate: allowPrivate, done: done
            )
        }
        return nil
    }

    /// Every subscription's stored secret, sealed or not.
    public func secrets() async throws -> [(Int64, String)] {
        let rows = try await connection.query("SELECT id, secret FROM webhook_subscriptions ORDER BY id FOR UPDATE", logger: logger)
        var secrets: [(Int64, String)] = []
        for try await row in rows.decode((Int64, String).self) { secrets.append(row) }
        return secrets
    }

    public func replaceSecret(id: Int64, with stored: String) async throws {
        try await connection.query("UPDATE webhook_subscriptions SET secret = \(stored) WHERE id = \(id)", logger: logger)
    }

    /// Records an attempt: its HTTP status (nil when none came), and the outcome.
    public func recordAttempt(id: Int64, status: Int?, error: String?, delivered: Bool, failedForGood: Bool) async throws {
        try await connection.query(
            """
            UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = \(status), last_error = \(error.map { String($0.prefix(500)) }),
                delivered_at = CASE WHEN \(delivered) THEN now() END, failed_at = CASE WHEN \(failedForGood) THEN now() END
            WHERE id = \(id)
            """,
            logger: logger
        )
    }
}
