import Foundation
import GuichetDomain
import GuichetStore
import NIOCore
import PostgresNIO

/// A file as a page lists it.
public struct AttachmentView: Sendable, Equatable {
    public var id: Int64
    public var filename: String
    public var contentType: String
    public var size: Int
    public var uploadedBy: String
    public var createdAt: Date
}

/// A file to download.
public struct AttachmentDownload: Sendable {
    public var filename: String
    public var contentType: String
    public var bytes: ByteBuffer
}

extension TicketService {
    /// Stores files on a ticket the caller locked in their transaction.
    func store(_ files: [NewAttachment], on ticketID: Int64, commentID: Int64?, by principal: Principal, on connection: PostgresConnection) async throws {
        let repository = AttachmentRepository(connection: connection, logger: logger)
        for file in files {
            var clean = file
            clean.filename = AttachmentPolicy.cleanFilename(file.filename)
            _ = try await repository.insert(clean, sha256: AttachmentPolicy.digest(file.bytes), ticketID: ticketID, commentID: commentID, uploadedBy: principal.personID)
        }
    }

    /// Refuses files the policy does not accept, all problems at once.
    func check(_ files: [NewAttachment]) throws(ServiceError) {
        let problems = attachmentPolicy.problems(files)
        if !problems.isEmpty { throw .validation(problems) }
    }

    /// What is wrong with files before they are sent, for a form to show with its other problems.
    public func attachmentProblems(_ files: [NewAttachment]) -> [AttachmentPolicy.Problem] { attachmentPolicy.check(files) }

    /// One file, if the caller may see its ticket.
    public func attachment(_ id: Int64, for principal: Principal) async throws -> AttachmentDownload {
        let found = try await database.client.withConnection { connection in
            try await AttachmentRepository(connection: connection, logger: logger).content(
                id: id, scope: AccessPolicy.ticketScope(of: principal), includeInternal: AccessPolicy.mayUseInternalNotes(principal)
            )
        }
        guard let found else { throw ServiceError.notFound("attachment \(id)") }
        return AttachmentDownload(filename: found.filename, contentType: found.contentType, bytes: found.bytes)
    }
}
