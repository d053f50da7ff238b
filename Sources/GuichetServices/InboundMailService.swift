import Crypto
import Foundation
import GuichetDomain
import GuichetMail
import GuichetStore
import Logging

/// What became of a message received by mail.
public enum InboundOutcome: Sendable, Equatable {
    /// A new ticket, opened by the sender.
    case opened(ref: String)
    /// A public comment on the ticket the message answers; `reopened` when it was resolved.
    case commented(ref: String, reopened: Bool)
    /// The same Message-ID was received before: nothing done again.
    case duplicate
    /// Automatic mail (auto-reply, bounce, list), Guichet's own mail coming back, or an empty reply.
    case ignored(reason: String)
    /// Nobody known writes from that address: nothing created; a polite answer, once a day at most.
    case unknownSender(answered: Bool)
}

/// Mail in, from the LMTP listener or the API: a known requester's message opens a ticket, a
/// reply (by In-Reply-To, References or the ref in the subject) becomes a public comment and
/// reopens a resolved ticket. Everything a message causes commits in one transaction with the
/// record of its Message-ID, so a message delivered twice acts once.
public struct InboundMailService: Sendable {
    let tickets: TicketService
    var database: Database { tickets.database }
    var logger: Logger { tickets.logger }

    public init(tickets: TicketService) {
        self.tickets = tickets
    }

    /// Throws `InboundMailError` for a message to refuse (the LMTP listener bounces it with the reason).
    /// `envelopeSender` is the MTA's `MAIL FROM`, when known: empty (`<>`) is automatic mail.
    public func receive(_ raw: [UInt8], envelopeSender: String? = nil) async throws -> InboundOutcome {
        var mail = try MIMEParser.parse(raw)
        if envelopeSender?.isEmpty == true { mail.nullSender = true }
        guard let from = mail.from else { throw InboundMailError.noSender }
        let messageID = mail.messageID ?? "sha256-" + SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined()
        var logger = self.logger
        logger[metadataKey: "message_id"] = .string(messageID)
        let outcome: InboundOutcome
        do {
            outcome = try await tickets.transactions.run { work in
                try await handle(mail, from: from, messageID: messageID, in: work)
            }
        } catch is InboundRace {
            outcome = .duplicate
        } catch ServiceError.forbidden(let why) {
            // refused for good, with the reason: the MTA bounces it rather than trying again
            throw InboundMailError.notAllowed(why)
        }
        logger.info("mail received", metadata: ["outcome": "\(outcome)"])
        return outcome
    }

    private func handle(_ mail: ParsedMail, from: MailAddress, messageID: String, in work: UnitOfWork) async throws -> InboundOutcome {
        let connection = work.connection
        let inbound = InboundMessageRepository(connection: connection, logger: logger)
        if try await inbound.received(messageID: messageID) { return .duplicate }
        func done(_ outcome: InboundOutcome, _ label: String, ticket: Int64? = nil) async throws -> InboundOutcome {
            // a concurrent delivery of the same message got there first: this transaction rolls back
            guard try await inbound.record(messageID: messageID, sender: from.address, outcome: label, ticketID: ticket) else {
                throw InboundRace()
            }
            return outcome
        }
        if mail.isAutomatic { return try await done(.ignored(reason: "automatic mail"), "ignored_automatic") }
        if let local = messageID.split(separator: "@").first, try await inbound.isOurs(messageKey: String(local)) {
            return try await done(.ignored(reason: "Guichet's own mail"), "ignored_own")
        }
        guard let principal = try await DirectoryRepository(connection: connection, logger: logger).principal(email: from.address) else {
            let answered = try await answerUnknown(from, subject: mail.subject, in: work)
            return try await done(.unknownSender(answered: answered), "unknown_sender")
        }
        let repository = TicketRepository(connection: connection, logger: logger)
        if let ref = Self.ticketRef(of: mail),
            let record = try await repository.find(.ref(ref), scope: AccessPolicy.ticketScope(of: principal), lock: true),
            record.status != .closed
        {
            let body = String(ReplyText.trimmed(mail.text).prefix(20_000))
            guard !body.isEmpty else { return try await done(.ignored(reason: "empty reply"), "ignored_empty", ticket: record.id) }
            _ = try await tickets.addComment(body, visibility: .public, origin: .email, to: record, by: principal, in: work)
            let reopen = record.status == .resolved && principal.personID == record.requester.id
            if reopen, let current = try await repository.find(.id(record.id), scope: .all, lock: true) {
                _ = try await tickets.pipeline.change(current, by: .person(principal), [.reopen(reason: "Réponse par e-mail")], in: work)
            }
            return try await done(.commented(ref: record.ref, reopened: reopen), reopen ? "reopened" : "commented", ticket: record.id)
        }
        let request = OpenTicketRequest(
            kind: .incident, title: Self.title(from: mail.subject), description: String(ReplyText.trimmed(mail.text).prefix(20_000)), origin: .email
        )
        let record = try await tickets.insertTicket(request, checked: try request.validated(), by: principal, in: work)
        return try await done(.opened(ref: record.ref), "opened", ticket: record.id)
    }

    /// The ticket a message answers: a Guichet Message-ID it replies to, else a ref in its subject.
    static func ticketRef(of mail: ParsedMail) -> String? {
        for id in mail.threadIDs where id.hasPrefix("ticket-") {
            let local = id.dropFirst("ticket-".count).prefix { $0 != "." && $0 != "@" }
            if TicketRef(String(local)) != nil { return String(local) }
        }
        guard let match = mail.subject.range(of: #"\[[IR]-\d{6,}\]"#, options: .regularExpression) else { return nil }
        return String(mail.subject[match].dropFirst().dropLast())
    }

    /// A ticket title from a subject: without reply prefixes, never empty, at most 200 characters.
    static func title(from subject: String) -> String {
        var title = subject
        while let prefix = title.range(of: #"^\s*(re|tr|fw|fwd)\s*:\s*"#, options: [.regularExpression, .caseInsensitive]) {
            title.removeSubrange(prefix)
        }
        title = title.trimmingCharacters(in: .whitespaces)
        return title.isEmpty ? "(sans objet)" : String(title.prefix(200))
    }

    /// Tells an unknown sender, at most once a day, that their mail created nothing and where to turn.
    private func answerUnknown(_ sender: MailAddress, subject: String, in work: UnitOfWork) async throws -> Bool {
        let outbox = NotificationRepository(connection: work.connection, logger: logger)
        guard try await !outbox.answeredRecently(sender.address, since: tickets.clock.now().addingTimeInterval(-86_400)) else { return false }
        let content = NotificationTemplates.unknownSender(subject: subject)
        let id = try await outbox.insert(
            NewNotification(
                ticketID: nil, personID: nil, address: sender.address, kind: "unknown_sender", locale: "fr",
                messageKey: "guichet.\(UUID().uuidString.lowercased())", subject: content.subject, text: content.text, html: content.html
            )
        )
        try await NotificationComposer(work: work, publicURL: tickets.publicURL).enqueueDelivery(of: id)
        return true
    }
}

/// Two deliveries of one message at once: the later one's transaction is rolled back, and it
/// counts as a duplicate of the first.
struct InboundRace: Error {}
