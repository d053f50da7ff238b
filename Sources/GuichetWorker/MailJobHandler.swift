import Foundation
import GuichetMail
import GuichetQueue
import GuichetServices
import Logging

/// Runs `mail.send` jobs: hands a stored notification to the SMTP server. A refusal for good (5xx)
/// is recorded and not retried; anything else is retried by the queue with backoff, with the same
/// Message-ID, so that a server that was down only delays mail.
public struct MailJobHandler: JobHandler {
    let notifications: NotificationService
    let smtp: SMTPClient
    let sender: MailAddress

    public init(notifications: NotificationService, smtp: SMTPClient, sender: MailAddress) {
        self.notifications = notifications
        self.smtp = smtp
        self.sender = sender
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let payload = try job.parameters(SendMail.self)
        guard let stored = try await notifications.unsent(id: payload.notificationId) else { return }
        var logger = logger
        logger[metadataKey: "notification"] = "\(stored.id)"
        if let ref = stored.ticketRef { logger[metadataKey: "ticket"] = .string(ref) }
        let notification = stored.notification
        guard let recipient = MailAddress(notification.address, name: stored.recipientName) else {
            try await record(stored.id, error: "'\(notification.address)' is not an e-mail address", permanently: true, logger: logger)
            return
        }
        let domain = sender.domain
        // every mail about a ticket hangs on the ticket's thread; an answer about no ticket stands alone
        let thread = stored.ticketRef.map { "ticket-\($0)@\(domain)" }
        let message = MailMessage(
            from: sender, to: [recipient], subject: notification.subject, messageID: "\(notification.messageKey)@\(domain)",
            inReplyTo: thread, references: thread.map { [$0] } ?? [], text: notification.text, html: notification.html
        )
        do {
            try await smtp.send(message)
        } catch let error as SMTPError where error.isPermanent {
            try await record(stored.id, error: error.description, permanently: true, logger: logger)
            logger.error("mail refused for good", metadata: ["error": "\(error)"])
            return
        } catch {
            try await record(stored.id, error: "\(error)", permanently: false, logger: logger)
            throw error
        }
        try await notifications.markSent(id: stored.id)
        logger.info("mail sent", metadata: ["kind": .string(notification.kind)])
    }

    private func record(_ id: Int64, error: String, permanently: Bool, logger: Logger) async throws {
        try await notifications.markFailed(id: id, error: error, permanently: permanently)
    }
}
