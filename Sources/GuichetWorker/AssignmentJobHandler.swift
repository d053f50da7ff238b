import Foundation
import GuichetQueue
import GuichetServices
import Logging

/// Runs `ticket.assign` jobs: dispatch of a newly opened (or re-opened to dispatch) ticket.
public struct AssignmentJobHandler: JobHandler {
    let assignments: AssignmentService

    public init(assignments: AssignmentService) {
        self.assignments = assignments
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let payload = try job.parameters(AssignTicket.self)
        var logger = logger
        logger[metadataKey: "ticket_id"] = "\(payload.ticketId)"
        let outcome = try await assignments.autoAssign(ticketID: payload.ticketId)
        if outcome == .alreadyDispatched {
            logger.debug("ticket already dispatched; nothing to do")
        }
    }
}
