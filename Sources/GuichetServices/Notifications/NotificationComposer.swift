import Foundation
import GuichetStore
import Logging

/// Writes the notifications a ticket change sends, in the transaction of that change, and enqueues
/// their delivery: either the change and its notifications commit, or neither does.
struct NotificationComposer {
    let work: UnitOfWork
    /// Where users reach Guichet, for the link in each mail.
    let publicURL: String?

    /// Notifies the requester of `ticket`, or its agent for `assignedToYou`; `detail` is the reason,
    /// reply or solution.
    func notify(_ kind: NotificationKind, about ticket: TicketRecord, detail: String? = nil) async throws {
        guard let recipient = kind == .assignedToYou ? ticket.agent?.id : ticket.requester.id else { return }
        try await notify(kind, about: ticket, to: [recipient], detail: detail)
    }

    /// Notifies each of `people` about `ticket`.
    func notify(_ kind: NotificationKind, about ticket: TicketRecord, to people: [Int64], detail: String? = nil) async throws {
        for personID in Set(people).sorted() { try await notify(kind, about: ticket, person: personID, detail: detail) }
    }

    private func notify(_ kind: NotificationKind, about ticket: TicketRecord, person personID: Int64, detail: String?) async throws {
        guard let person = try await DirectoryRepository(connection: work.connection, logger: work.logger).person(id: personID), !person.email.isEmpty
        else { return }
        let facts = NotificationFacts(
            ref: ticket.ref, title: ticket.title, recipientName: person.name, agentName: ticket.agent?.name, detail: detail,
            link: publicURL.map { "\($0.hasSuffix("/") ? String($0.dropLast()) : $0)/tickets/\(ticket.ref)" }
        )
        let content = NotificationTemplates.render(kind, locale: person.locale, facts: facts)
        let id = try await NotificationRepository(connection: work.connection, logger: work.logger).insert(
            NewNotification(
                ticketID: ticket.id, personID: person.id, address: person.email, kind: kind.rawValue, locale: person.locale,
                messageKey: "ticket-\(ticket.ref).\(UUID().uuidString.lowercased())", subject: content.subject, text: content.text, html: content.html
            )
        )
        try await enqueueDelivery(of: id)
    }

    /// The job that sends a stored notification.
    func enqueueDelivery(of id: Int64) async throws {
        try await work.enqueue(SendMail(notificationId: id).job)
    }
}
