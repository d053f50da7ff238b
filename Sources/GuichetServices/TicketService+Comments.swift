import Foundation
import GuichetDomain
import GuichetStore
import PostgresNIO

/// What a caller sends to comment on a ticket.
public struct CommentRequest: Sendable, Equatable, Codable {
    public var body: String?
    /// `public` when left out.
    public var visibility: CommentVisibility?
    /// `api` when left out.
    public var origin: TicketOrigin?

    public init(body: String? = nil, visibility: CommentVisibility? = nil, origin: TicketOrigin? = nil) {
        self.body = body
        self.visibility = visibility
        self.origin = origin
    }
}

extension TicketService {
    /// Adds a public reply or an internal note, with its history entry and the files sent with it.
    public func comment(
        _ request: CommentRequest, on key: String, by principal: Principal, attachments: [NewAttachment] = []
    ) async throws -> CommentView {
        let body = (request.body ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if body.isEmpty { throw ServiceError.invalid("body", "A comment needs a body.") }
        if body.count > 20_000 { throw ServiceError.invalid("body", "The body is longer than 20,000 characters.") }
        let visibility = request.visibility ?? .public
        // refused before the ticket is looked for: a partner learns nothing of tickets outside its perimeter
        try Self.authorizeCommenting(by: principal)
        if let origin = request.origin, !AccessPolicy.mayDeclare(origin: origin, principal) {
            throw ServiceError.invalid("origin", "A comment written here comes from the portal or the API; only the service desk records phone calls.")
        }
        if visibility == .internal && !AccessPolicy.mayUseInternalNotes(principal) {
            throw ServiceError.forbidden("Only those who work on the ticket may write internal notes.")
        }
        try check(attachments)
        return try await transactions.run { work in
            let record = try await TicketRepository(connection: work.connection, logger: logger).visible(key, to: principal, lock: true)
            let comment = try await addComment(body, visibility: visibility, origin: request.origin ?? .api, to: record, by: principal, in: work)
            try await store(attachments, on: record.id, commentID: comment.id, by: principal, on: work.connection)
            return comment
        }
    }

    /// Adds a comment to a ticket the caller locked in their transaction, with its history entry
    /// and, for a public reply from the service centre, the requester's notification.
    func addComment(
        _ body: String, visibility: CommentVisibility, origin: TicketOrigin, to record: TicketRecord, by principal: Principal,
        in work: UnitOfWork
    ) async throws -> CommentView {
        try Self.authorizeCommenting(by: principal)
        let connection = work.connection
        try await TicketPipeline.checkContractorHolds(
            record, by: principal, asAgent: false, directory: DirectoryRepository(connection: connection, logger: logger)
        )
        guard record.status != .closed else {
            throw ServiceError.conflict("Ticket \(record.ref) is closed; open a new ticket instead.")
        }
        let comment = try await CommentRepository(connection: connection, logger: logger).insert(
            ticketID: record.id, authorID: principal.personID, visibility: visibility, body: body, origin: origin, at: clock.now()
        )
        try await work.history.append(
            ticketID: record.id, actorID: principal.personID, kind: visibility == .internal ? "noted" : "commented",
            note: body, isInternal: visibility == .internal, requestID: principal.requestID
        )
        // a public reply from the service centre goes to the requester; their own comments do not come back to them
        if visibility == .public && principal.personID != record.requester.id {
            try await notifications(in: work).notify(.reply, about: record, detail: body)
        }
        return CommentView(comment)
    }

    static func authorizeCommenting(by principal: Principal) throws(ServiceError) {
        guard AccessPolicy.mayWrite(principal) else { throw ServiceError.forbidden("Partners read tickets; they do not comment on them.") }
    }
}
