import Foundation
import Logging

/// Runs the jobs of one kind. Delivery is at-least-once, so a handler must be idempotent.
public protocol JobHandler: Sendable {
    /// Throwing marks the attempt failed; the job is retried with backoff until it has no attempt left.
    func handle(_ job: ClaimedJob, logger: Logger) async throws
}

/// A queue a worker serves and how many of its jobs it runs at once.
public struct QueueConcurrency: Sendable, Equatable {
    public var queue: String
    public var concurrency: Int

    public init(queue: String, concurrency: Int) {
        self.queue = queue
        self.concurrency = concurrency
    }

    /// Parses `assignment=8,notifications=4`; a queue without `=N` gets `defaultConcurrency`.
    public static func parse(_ text: String, defaultConcurrency: Int) throws(QueueListError) -> [QueueConcurrency] {
        var result: [QueueConcurrency] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, !name.isEmpty else { throw QueueListError(item: String(item)) }
            var concurrency = defaultConcurrency
            if parts.count == 2 {
                guard let value = Int(parts[1]), (1...1_000).contains(value) else { throw QueueListError(item: String(item)) }
                concurrency = value
            }
            guard !result.contains(where: { $0.queue == name }) else { throw QueueListError(item: String(item)) }
            result.append(QueueConcurrency(queue: name, concurrency: concurrency))
        }
        guard !result.isEmpty else { throw QueueListError(item: text) }
        return result
    }
}

public struct QueueListError: Error, CustomStringConvertible {
    public let item: String
    public var description: String {
        "'\(item)' is not a queue list: write queue names, each optionally with its concurrency (assignment=8,notifications=4)."
    }
}

/// The configuration of one worker process.
public struct JobWorkerConfiguration: Sendable {
    /// Names this worker in leases (`locked_by`); unique per process.
    public var workerID: String
    public var queues: [QueueConcurrency]
    /// How often an idle worker looks for due jobs when no notification arrives (delayed jobs, lost NOTIFY).
    public var pollInterval: Duration
    /// How long a claimed job is held before others may rescue it; renewed by heartbeats.
    public var lease: Duration
    public var retry: RetryPolicy
    /// How long one attempt may run before it is abandoned as failed (and retried).
    public var jobTimeout: Duration

    public init(
        workerID: String,
        queues: [QueueConcurrency],
        pollInterval: Duration = .seconds(1),
        lease: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy(),
        jobTimeout: Duration = .seconds(300)
    ) {
        self.workerID = workerID
        self.queues = queues
        self.pollInterval = pollInterval
        self.lease = lease
        self.retry = retry
        self.jobTimeout = jobTimeout
    }

    /// Every queue with the same concurrency.
    public init(
        workerID: String,
        queues: [String] = ["default"],
        concurrency: Int = 8,
        pollInterval: Duration = .seconds(1),
        lease: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.init(
            workerID: workerID, queues: queues.map { QueueConcurrency(queue: $0, concurrency: concurrency) }, pollInterval: pollInterval,
            lease: lease, retry: retry
        )
    }

    /// Heartbeats come three times per lease, so one late beat never loses a job.
    var heartbeatInterval: Duration { lease / 3 }
}
