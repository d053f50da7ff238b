import GuichetQueue
import GuichetServices
import Logging

/// `agents.workloads.fold`: folds the agents' workload changes into their totals, so that the loads
/// auto-assignment reads stay a handful of rows per agent. Runs as a periodic job on the cluster's
/// leader; a fold that fails leaves the changes for the next one.
public struct WorkloadFoldJobHandler: JobHandler {
    public static let kind = "agents.workloads.fold"

    let assignments: AssignmentService

    public init(assignments: AssignmentService) {
        self.assignments = assignments
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let folded = try await assignments.foldWorkloads()
        logger.debug("agents' workload changes folded", metadata: ["changes": "\(folded)"])
    }
}
