import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// A file joined to a ticket, without its bytes.
public struct AttachmentRecord: Sendable, Equatable {
    public var id: Int64
    public var ticketID: Int64
    public var commentID: Int64?
    public var filename: String
    public var contentType: String
    public var size: Int
    public var uploadedBy: TicketRecord.Named
    public var createdAt: Date
}
public struct AttachmentRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func insert(_ file: NewAttachment, sha256: [UInt8], ticketID: Int64, commentID: Int64?, uploadedBy personID: Int64) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO attachments (ticket_id, comment_id, filename, content_type, size, sha256, content, uploaded_by)
            VALUES (\(ticketID), \(commentID), \(file.filename), \(file.contentType), \(file.bytes.count), \(ByteBuffer(bytes: sha256)),
                    \(ByteBuffer(bytes: file.bytes)), \(personID))
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.noRowReturned
    }

    /// The files of a ticket, oldest first; those of internal notes only with `includeInternal`.
    public func list(ticketID: Int64, includeInternal: Bool) async throws -> [AttachmentRecord] {
        let rows = try await connection.query(
            """
            SELECT a.id, a.ticket_id, a.comment_id, a.filename, a.content_type, a.size, a.uploaded_by, p.name, a.created_at
            FROM attachments a JOIN people p ON p.id = a.uploaded_by
            WHERE a.ticket_id = \(ticketID) AND (a.comment_id IS NULL OR \(includeInternal) OR EXISTS (SELECT 1 FROM comments c WHERE c.id = a.comment_id AND c.visibility = 'public')) ORDER BY a.id
            """,
            logger: logger
        )
        var records: [AttachmentRecord] = []
        for try await (id, ticketID, commentID, filename, contentType, size, uploaderID, uploaderName, createdAt) in rows.decode(
            (Int64, Int64, Int64?, String, String, Int, Int64, String, Date).self
        ) {
            records.append(
                AttachmentRecord(
                    id: id, ticketID: ticketID, commentID: commentID, filename: filename, contentType: contentType, size: size,
                    uploadedBy: .init(id: uploaderID, name: uploaderName), createdAt: createdAt
                )
            )
        }
        return records
    }

    /// One file and its bytes, if its ticket is visible to `scope` (and its note, for an internal one).
    public func content(id: Int64, scope: TicketScope, includeInternal: Bool) async throws -> (filename: String, contentType: String, bytes: ByteBuffer)? {
        let rows = try await connection.query(
            """
            SELECT a.filename, a.content_type, a.content FROM attachments a JOIN tickets t ON t.id = a.ticket_id
            WHERE a.id = \(id) AND \(visibleTo: scope) AND (a.comment_id IS NULL OR \(includeInternal) OR EXISTS (SELECT 1 FROM comments c WHERE c.id = a.comment_id AND c.visibility = 'public'))
            """,
            logger: logger
        )
        for try await (filename, contentType, bytes) in rows.decode((String, String, ByteBuffer).self) { return (filename, contentType, bytes) }
        return nil
    }
}
