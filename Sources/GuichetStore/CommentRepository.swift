import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// A reply on a ticket: public (the requester sees it) or an internal note.
public struct CommentRecord: Sendable, Equatable {
    public var id: Int64
    public var ticketID: Int64
    public var author: TicketRecord.Named
    public var visibility: CommentVisibility
    public var body: String
    public var origin: TicketOrigin
    public var createdAt: Date
}

public struct CommentRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// `at` is when the comment was written, by the caller's clock.
    public func insert(
        ticketID: Int64, authorID: Int64, visibility: CommentVisibility, body: String, origin: TicketOrigin, at moment: Date
    ) async throws -> CommentRecord {
        let rows = try await connection.query(
            """
            WITH inserted AS (
                INSERT INTO comments (ticket_id, author_id, visibility, body, origin, created_at)
                VALUES (\(ticketID), \(authorID), \(visibility.rawValue), \(body), \(origin.rawValue), \(moment))
                RETURNING id, created_at
            )
            SELECT inserted.id, inserted.created_at, p.name FROM inserted JOIN people p ON p.id = \(authorID)
            """,
            logger: logger
        )
        for try await (id, createdAt, authorName) in rows.decode((Int64, Date, String).self) {
            return CommentRecord(
                id: id, ticketID: ticketID, author: .init(id: authorID, name: authorName), visibility: visibility, body: body,
                origin: origin, createdAt: createdAt
            )
        }
        throw StoreError.noRowReturned
    }
}
