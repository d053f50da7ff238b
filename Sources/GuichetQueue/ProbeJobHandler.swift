import Foundation
import Logging
import PostgresNIO

/// `queue.probe` jobs: do nothing for `sleep_ms` milliseconds, then record the run in
/// `queue.probe_runs`. Fault tests and operators use them to see that jobs run, and how often.
public struct ProbeJobHandler: JobHandler {
    /// A probe: how long it sleeps before recording its run.
    public struct Probe: JobParameters {
        public static let queue = "default"
        public static let kind = "queue.probe"

        public var sleepMs: Int?

        public init(sleepMs: Int?) {
            self.sleepMs = sleepMs
        }
    }

    let client: PostgresClient
    let workerID: String

    public init(client: PostgresClient, workerID: String) {
        self.client = client
        self.workerID = workerID
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let started = Date()
        let payload = try job.parameters(Probe.self)
        if let sleep = payload.sleepMs, sleep > 0 {
            try await Task.sleep(for: .milliseconds(min(sleep, 600_000)))
        }
        // An explicit transaction: a statement in autocommit is reported complete before its
        // implicit commit, which a database shutting down at that instant rolls back (measured in
        // the restart fault test: a job completed whose run was not recorded). COMMIT's answer
        // comes only once the run is durable.
        try await client.withTransaction(logger: logger) { connection in
            _ = try await connection.query(
                "INSERT INTO queue.probe_runs (job_id, worker, attempt, started_at) VALUES (\(job.id), \(workerID), \(job.attempt), \(started))",
                logger: logger
            )
        }
    }
}
