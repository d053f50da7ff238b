import Foundation
import Logging
import PostgresNIO

/// What a previous request with the same idempotency key left.
public struct IdempotencyRecord: Sendable, Equatable {
    public var requestHash: Data
    /// The stored response body, as JSON text.
    public var response: String?
}

/// Idempotency keys of ticket creates, per person.
public struct IdempotencyRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Claims the key for this transaction. When another request holds it, waits for that one to
    /// commit or roll back (the unique index does the waiting) and returns what it stored.
    public func claim(personID: Int64, key: String, requestHash: Data) async throws -> IdempotencyRecord? {
        let inserted = try await connection.query(
            """
            INSERT INTO idempotency_keys (person_id, key, request_hash) VALUES (\(personID), \(key), \(requestHash))
            ON CONFLICT (person_id, key) DO NOTHING RETURNING 1
            """,
            logger: logger
        )
        for try await _ in inserted { return nil }
        let rows = try await connection.query(
            "SELECT request_hash, response::text FROM idempotency_keys WHERE person_id = \(personID) AND key = \(key)",
            logger: logger
        )
        for try await (hash, response) in rows.decode((Data, String?).self) {
            return IdempotencyRecord(requestHash: hash, response: response)
        }
        throw StoreError.noRowReturned
    }

    public func store(personID: Int64, key: String, ticketID: Int64, response: String) async throws {
        try await connection.query(
            """
            UPDATE idempotency_keys SET ticket_id = \(ticketID), response = \(response)::jsonb
            WHERE person_id = \(personID) AND key = \(key)
            """,
            logger: logger
        )
    }
}
