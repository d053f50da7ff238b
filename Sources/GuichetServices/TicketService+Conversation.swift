import Foundation
import GuichetDomain
import GuichetStore

/// A ticket page's reading: the ticket, its conversation, files and history, as the caller may see them.
public struct TicketFolder: Sendable {
    public var ticket: TicketView
    public var comments: [CommentView]
    public var attachments: [AttachmentView]
    public var history: [EventView]
}

extension TicketService {
    /// Everything a ticket page shows, read in one transaction; internal notes and internal history
    /// entries only for those who work tickets.
    public func folder(_ key: String, for principal: Principal) async throws -> TicketFolder {
        try await database.transaction { connection in
            let record = try await TicketRepository(connection: connection, logger: logger).visible(key, to: principal)
            let withInternal = AccessPolicy.mayUseInternalNotes(principal)
            let comments = try await CommentRepository(connection: connection, logger: logger).list(ticketID: record.id, includeInternal: withInternal)
            let files = try await AttachmentRepository(connection: connection, logger: logger).list(ticketID: record.id, includeInternal: withInternal)
            let history = try await EventRepository(connection: connection, logger: logger).history(ticketID: record.id, includeInternal: withInternal)
            var ticket = TicketView(record, for: principal)
            ticket.cis = try await Self.linkedCIs(of: record.id, for: principal, connection: connection, logger: logger)
            return TicketFolder(
                ticket: ticket, comments: comments.map(CommentView.init),
                attachments: files.map {
                    AttachmentView(id: $0.id, filename: $0.filename, contentType: $0.contentType, size: $0.size, uploadedBy: $0.uploadedBy.name, createdAt: $0.createdAt)
                },
                history: history.map(EventView.init)
            )
        }
    }
}
