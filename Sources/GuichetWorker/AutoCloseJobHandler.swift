import GuichetQueue
import GuichetServices
import Logging

/// `tickets.autoclose`: closes resolved tickets nobody answered within the configured time. Runs as
/// a periodic job on the cluster's leader.
public struct AutoCloseJobHandler: JobHandler {
    public static let kind = "tickets.autoclose"

    let tickets: TicketService
    let after: Duration

    public init(tickets: TicketService, after: Duration) {
        self.tickets = tickets
        self.after = after
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let closed = try await tickets.closeResolved(after: after)
        if closed > 0 { logger.info("closed resolved tickets without reply", metadata: ["tickets": "\(closed)"]) }
    }
}
