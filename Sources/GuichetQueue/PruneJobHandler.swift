import Logging

/// `queue.prune`: deletes finished jobs past their retention, in bounded batches, so that the jobs
/// table stays small under sustained load. Runs as a periodic job.
public struct PruneJobHandler: JobHandler {
    public static let kind = "queue.prune"

    let queue: JobQueue
    let keepCompleted: Duration
    let keepDiscarded: Duration

    public init(queue: JobQueue, keepCompleted: Duration, keepDiscarded: Duration) {
        self.queue = queue
        self.keepCompleted = keepCompleted
        self.keepDiscarded = keepDiscarded
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        var total = 0
        for _ in 0..<100 {
            let deleted = try await queue.prune(completedOlderThan: keepCompleted, discardedOlderThan: keepDiscarded, limit: 10_000)
            total += deleted
            if deleted < 10_000 { break }
        }
        try await queue.client.query("DELETE FROM queue.periodic_runs WHERE scheduled_at < now() - interval '7 days'", logger: logger)
        if total > 0 { logger.info("pruned finished jobs", metadata: ["deleted": "\(total)"]) }
    }
}
