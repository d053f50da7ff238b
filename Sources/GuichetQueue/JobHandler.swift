import Logging

/// Runs the jobs of one kind. Delivery is at-least-once, so a handler must be idempotent.
public protocol JobHandler: Sendable {
    /// Throwing marks the attempt failed; the job is retried with backoff until it has no attempt left.
    func handle(_ job: ClaimedJob, logger: Logger) async throws
}

/// The configuration of one worker process.
public struct JobWorkerConfiguration: Sendable {
    /// Names this worker in leases (`locked_by`); unique per process.
    public var workerID: String
    public var queues: [String]
    /// How many jobs run at once.
    public var concurrency: Int
    /// How often an idle worker looks for due jobs when no notification arrives (delayed jobs, lost NOTIFY).
    public var pollInterval: Duration
    /// How long a claimed job is held before others may rescue it; renewed by heartbeats.
    public var lease: Duration
    public var retry: RetryPolicy

    public init(
        workerID: String,
        queues: [String] = ["default"],
        concurrency: Int = 8,
        pollInterval: Duration = .seconds(1),
        lease: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.workerID = workerID
        self.queues = queues
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.lease = lease
        self.retry = retry
    }

    /// Heartbeats come three times per lease, so one late beat never loses a job.
    var heartbeatInterval: Duration { lease / 3 }
}
