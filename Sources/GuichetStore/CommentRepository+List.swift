import Foundation
import GuichetDomain
import PostgresNIO

extension CommentRepository {
    /// The conversation of a ticket, oldest first; internal notes only with `includeInternal`.
    public func list(ticketID: Int64, includeInternal: Bool) async throws -> [CommentRecord] {
        let rows = try await connection.query(
            """
            SELECT c.id, c.author_id, p.name, c.visibility, c.body, c.origin, c.created_at
            FROM comments c JOIN people p ON p.id = c.author_id
            WHERE c.ticket_id = \(ticketID) AND (c.visibility = 'public' OR \(includeInternal))
            ORDER BY c.id
            """,
            logger: logger
        )
        var comments: [CommentRecord] = []
        for try await (id, authorID, authorName, visibility, body, origin, createdAt) in rows.decode(
            (Int64, Int64, String, String, String, String, Date).self
        ) {
            guard let visibility = CommentVisibility(rawValue: visibility), let origin = TicketOrigin(rawValue: origin) else { continue }
            comments.append(
                CommentRecord(
                    id: id, ticketID: ticketID, author: .init(id: authorID, name: authorName), visibility: visibility, body: body, origin: origin,
                    createdAt: createdAt
                )
            )
        }
        return comments
    }
}
