import Foundation
import GuichetDomain
import GuichetQueue
import GuichetStore
import Logging
import PostgresNIO

/// The ticket use cases. Each one is a transaction: the data change, its history event and the jobs
/// it causes commit together or not at all.
public struct TicketService: Sendable {
    let database: Database
    /// Every change: one transaction, whose queues are signalled after commit.
    let transactions: Transactions
    let pipeline: TicketPipeline
    let logger: Logger
    let clock: WallClock
    /// Where users reach Guichet, for the links in notifications.
    let publicURL: String?
    let attachmentPolicy: AttachmentPolicy

    public init(
        database: Database, notifier: JobNotifier, logger: Logger, clock: WallClock = .system, publicURL: String? = nil,
        attachmentPolicy: AttachmentPolicy = AttachmentPolicy()
    ) {
        self.attachmentPolicy = attachmentPolicy
        self.database = database
        transactions = Transactions(database: database, notifier: notifier)
        pipeline = TicketPipeline(logger: logger, clock: clock, publicURL: publicURL)
        self.logger = logger
        self.clock = clock
        self.publicURL = publicURL
    }

    func notifications(in work: UnitOfWork) -> NotificationComposer {
        NotificationComposer(work: work, publicURL: publicURL)
    }

    /// Records a new ticket and enqueues its dispatch. With an idempotency key, a repeat of the same
    /// request returns the stored answer, and a different request under the same key is refused.
    /// Files sent with the request are stored with the ticket, in the same transaction.
    public func open(
        _ request: OpenTicketRequest, by principal: Principal, idempotencyKey: String?, attachments: [NewAttachment] = []
    ) async throws -> OpenOutcome {
        // who may open is answered before what they sent is looked at
        try Self.authorizeOpening(by: principal)
        // every problem of the form at once: its fields and its files
        var checked: OpenTicketRequest.Checked?
        var problems: [FieldProblem] = []
        do { checked = try request.validated() } catch { if case .validation(let found) = error { problems = found } else { throw error } }
        if let origin = request.origin, !AccessPolicy.mayDeclare(origin: origin, principal) {
            problems.append(FieldProblem(field: "origin", message: "A ticket opened here comes from the portal or the API; only the service desk records phone calls."))
        }
        problems += attachmentPolicy.problems(attachments)
        guard problems.isEmpty, let checked else { throw ServiceError.validation(problems) }
        if let idempotencyKey, idempotencyKey.isEmpty || idempotencyKey.count > 200 {
            throw ServiceError.invalid("Idempotency-Key", "An idempotency key has 1 to 200 characters.")
        }
        return try await transactions.run { work in
            let keys = IdempotencyRepository(connection: work.connection, logger: logger)
            if let idempotencyKey {
                if let earlier = try await keys.claim(personID: principal.personID, key: idempotencyKey, requestHash: request.fingerprint) {
                    return try replay(earlier, request: request)
                }
            }
            let record = try await insertTicket(request, checked: checked, by: principal, in: work)
            try await store(attachments, on: record.id, commentID: nil, by: principal, on: work.connection)
            let view = TicketView(record, for: principal)
            if let idempotencyKey {
                let stored = String(decoding: try JSONCoding.encoder().encode(view), as: UTF8.self)
                try await keys.store(personID: principal.personID, key: idempotencyKey, ticketID: record.id, response: stored)
            }
            logger.info("ticket opened", metadata: ["ticket": "\(record.ref)"])
            return OpenOutcome(ticket: view, replayed: false)
        }
    }

    /// Records a validated new ticket in the caller's transaction, with its history entry, dispatch
    /// job, SLA clocks and notifications.
    func insertTicket(_ request: OpenTicketRequest, checked: OpenTicketRequest.Checked, by principal: Principal, in work: UnitOfWork)
        async throws -> TicketRecord
    {
        try Self.authorizeOpening(by: principal)
        let connection = work.connection
        let directory = DirectoryRepository(connection: connection, logger: logger)
        let requester = try await resolveRequester(request, principal: principal, directory: directory)
        let establishment = try await resolveEstablishment(request, requester: requester, principal: principal, directory: directory)
        var serviceID: Int64?
        if let code = request.service {
            guard let service = try await CatalogueRepository(connection: connection, logger: logger).service(code: code) else {
                throw ServiceError.invalid("service", "No service of the catalogue has the code '\(code)'.")
            }
            serviceID = service.id
        }
        let tickets = TicketRepository(connection: connection, logger: logger)
        let id = try await tickets.insert(
            NewTicket(
                kind: checked.kind, title: checked.title, description: checked.description, impact: checked.impact,
                urgency: checked.urgency, origin: request.origin ?? .api, requesterID: requester.id,
                establishmentID: establishment.id, serviceID: serviceID
            )
        )
        try await work.history.append(
            ticketID: id, actorID: principal.personID, kind: "created",
            changes: ["status": FieldChange(from: nil, to: TicketStatus.new.rawValue)], requestID: principal.requestID
        )
        for ci in request.cis ?? [] {
            try await link(ci, toTicket: id, by: principal, in: work)
        }
        try await work.enqueue(AssignTicket(ticketId: id).job)
        guard let record = try await tickets.find(.id(id), scope: .all) else { throw StoreError.noRowReturned }
        try await SLAKeeper(work: work).start(
            ticketID: id, serviceID: serviceID, priority: record.priority.rawValue, at: clock.now()
        )
        try await notifications(in: work).notify(.created, about: record)
        if record.priority == .p1 {
            let onCall = try await DirectoryRepository(connection: connection, logger: logger).onCallAgents()
            try await notifications(in: work).notify(.criticalOpened, about: record, to: onCall)
        }
        return record
    }

    /// Refuses outsiders: partners read tickets, contractors work those escalated to them.
    static func authorizeOpening(by principal: Principal) throws(ServiceError) {
        guard AccessPolicy.mayOpen(principal) else {
            throw ServiceError.forbidden("Partners read tickets and contractors work those escalated to them; neither opens tickets.")
        }
    }

    private func replay(_ earlier: IdempotencyRecord, request: OpenTicketRequest) throws -> OpenOutcome {
        guard earlier.requestHash == request.fingerprint else { throw ServiceError.idempotencyKeyReused }
        guard let response = earlier.response else { throw ServiceError.conflict("The first request with this idempotency key failed.") }
        return OpenOutcome(ticket: try JSONCoding.decoder().decode(TicketView.self, from: Data(response.utf8)), replayed: true)
    }

    private func resolveRequester(_ request: OpenTicketRequest, principal: Principal, directory: DirectoryRepository) async throws -> PersonRecord {
        let requesterID = request.requesterId ?? principal.personID
        if requesterID != principal.personID && !AccessPolicy.mayOpenOnBehalf(principal) {
            throw ServiceError.forbidden("Only service centre staff may open a ticket on behalf of someone else.")
        }
        guard let person = try await directory.person(id: requesterID) else {
            throw ServiceError.invalid("requester_id", "No person has the id \(requesterID).")
        }
        return person
    }

    private func resolveEstablishment(
        _ request: OpenTicketRequest, requester: PersonRecord, principal: Principal, directory: DirectoryRepository
    ) async throws -> OrganizationRecord {
        guard let wanted = request.establishment else {
            // monitoring's incidents on the region's own infrastructure (a datacentre, no
            // establishment) belong to the service centre whose account raised them
            guard let own = try await directory.organization(id: requester.organizationID),
                own.kind == .establishment || (request.origin == .monitoring && own.kind == .provider)
            else {
                throw ServiceError.invalid("establishment", "The requester belongs to no establishment: name one.")
            }
            return own
        }
        guard let organization = try await directory.organization(idOrCode: wanted), organization.kind == .establishment else {
            throw ServiceError.invalid("establishment", "No establishment has the id or UAI '\(wanted)'.")
        }
        if !principal.isStaff && organization.id != requester.organizationID {
            throw ServiceError.invalid("establishment", "A requester opens tickets for their own establishment only.")
        }
        return organization
    }
}
