import GuichetQueue
import GuichetStore
import Logging

/// `agents.workloads.fold`: folds the agents' workload changes into their totals, so that the loads
/// auto-assignment reads stay a handful of rows per agent. Runs as a periodic job on the cluster's
/// leader; a fold that fails leaves the changes for the next one.
public struct WorkloadFoldJobHandler: JobHandler {
    public static let kind = "agents.workloads.fold"

    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let folded = try await database.client.withConnection { connection in
            try await DispatchRepository(connection: connection, logger: logger).foldWorkloads()
        }
        logger.debug("agents' workload changes folded", metadata: ["changes": "\(folded)"])
    }
}
