import Foundation
import GuichetQueue
import GuichetServices
import Logging

/// Runs `sla.timer` jobs: a clock's warning or breach deadline, recorded if it still holds.
public struct SLATimerJobHandler: JobHandler {
    let sla: SLAService

    public init(sla: SLAService) {
        self.sla = sla
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let timer = try job.parameters(SLATimer.self)
        var logger = logger
        logger[metadataKey: "ticket_id"] = "\(timer.ticketId)"
        let outcome = try await sla.fire(timer)
        if outcome != .recorded { logger.debug("SLA timer had nothing to record", metadata: ["outcome": "\(outcome)"]) }
    }
}
