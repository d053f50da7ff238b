import Foundation
import GuichetDomain
import GuichetStore
import Logging
import PostgresNIO

extension TicketService {
    /// Links a CI to a ticket (staff, or the requester at the opening), with a history entry.
    public func link(ci: Int64, toTicket key: String, by principal: Principal) async throws -> [CISummaryView] {
        try Self.authorizeLinking(by: principal)
        return try await transactions.run { work in
            let record = try await TicketRepository(connection: work.connection, logger: logger).visible(key, to: principal, lock: true)
            try await link(ci, toTicket: record.id, by: principal, in: work)
            return try await Self.linkedCIs(of: record.id, for: principal, connection: work.connection, logger: logger) ?? []
        }
    }

    /// Unlinks a CI from a ticket (staff), with a history entry; `notFound` when they were not linked.
    public func unlink(ci: Int64, fromTicket key: String, by principal: Principal) async throws {
        try Self.authorizeLinking(by: principal)
        try await transactions.run { work in
            let record = try await TicketRepository(connection: work.connection, logger: logger).visible(key, to: principal, lock: true)
            let cis = CIRepository(connection: work.connection, logger: logger)
            guard let found = try await cis.find(id: ci, scope: CIScope(of: principal)), try await cis.unlink(ticketID: record.id, ciID: ci) else {
                throw ServiceError.notFound("This configuration item is not linked to this ticket.")
            }
            try await work.history.append(
                ticketID: record.id, actorID: principal.personID, kind: "ci_unlinked", changes: ["ci": FieldChange(from: found.name, to: nil)], note: found.name,
                isInternal: false, requestID: principal.requestID
            )
        }
    }

    /// Links `ci` to the ticket `ticketID` in the caller's unit of work, if the caller may see the CI.
    func link(_ ci: Int64, toTicket ticketID: Int64, by principal: Principal, in work: UnitOfWork) async throws {
        let cis = CIRepository(connection: work.connection, logger: logger)
        guard let found = try await cis.find(id: ci, scope: CIScope(of: principal)) else {
            throw ServiceError.invalid("cis", "No configuration item \(ci) is within your perimeter.")
        }
        guard try await cis.link(ticketID: ticketID, ciID: ci) else { return }
        try await work.history.append(
            ticketID: ticketID, actorID: principal.personID, kind: "ci_linked", changes: ["ci": FieldChange(from: nil, to: found.name)], note: found.name,
            requestID: principal.requestID
        )
    }

    /// Links those of `cis` the caller may see to the ticket `ticketID` in the caller's unit of work,
    /// with one history entry naming them (monitoring links an outage's equipment at once).
    func link(_ cis: [Int64], toTicket ticketID: Int64, by principal: Principal, in work: UnitOfWork) async throws {
        let repository = CIRepository(connection: work.connection, logger: logger)
        let summaries = try await repository.summaries(cis, scope: CIScope(of: principal))
        let linked = try await repository.link(ticketID: ticketID, ciIDs: cis.filter { summaries[$0]?.visible == true })
        guard !linked.isEmpty else { return }
        let names = linked.compactMap { summaries[$0]?.name }.sorted().joined(separator: ", ")
        try await work.history.append(
            ticketID: ticketID, actorID: principal.personID, kind: "ci_linked", changes: ["ci": FieldChange(from: nil, to: names)], note: names,
            requestID: principal.requestID
        )
    }

    /// After the opening, CIs are linked and unlinked by the service centre's staff.
    static func authorizeLinking(by principal: Principal) throws {
        guard principal.isStaff else { throw ServiceError.forbidden("The service centre's staff link equipment to tickets.") }
    }

    /// The CIs linked to a ticket that the caller may see.
    static func linkedCIs(of ticketID: Int64, for principal: Principal, connection: PostgresConnection, logger: Logger) async throws -> [CISummaryView]? {
        let cis = CIRepository(connection: connection, logger: logger)
        let ids = try await cis.linked(toTicket: ticketID)
        guard !ids.isEmpty else { return [] }
        let summaries = try await cis.summaries(ids, scope: CIScope(of: principal))
        return ids.compactMap { summaries[$0] }.filter(\.visible).map(CISummaryView.init)
    }
}
