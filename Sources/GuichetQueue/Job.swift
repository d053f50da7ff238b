import Foundation

/// The life of a job row: pending (waiting for `run_at`), running (leased), then completed, discarded
/// (no attempt left) or cancelled.
public enum JobState: Int16, Sendable, CaseIterable, CustomStringConvertible {
    case pending = 0
    case running = 1
    case completed = 2
    case discarded = 3
    case cancelled = 4

    public var description: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .completed: "completed"
        case .discarded: "discarded"
        case .cancelled: "cancelled"
        }
    }
}

/// A job to enqueue.
public struct NewJob: Sendable {
    public var queue: String
    public var kind: String
    /// The handler's input, as JSON text.
    public var payload: String
    /// When the job becomes due; `nil` runs it now.
    public var runAt: Date?
    public var priority: Int16
    public var maxAttempts: Int
    /// At most one pending or running job holds a given key.
    public var uniqueKey: String?

    public init(
        queue: String = "default",
        kind: String,
        payload: String = "{}",
        runAt: Date? = nil,
        priority: Int16 = 0,
        maxAttempts: Int = 10,
        uniqueKey: String? = nil
    ) {
        self.queue = queue
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
    }
}

/// A job a worker holds a lease on.
public struct ClaimedJob: Sendable {
    public let id: Int64
    public let queue: String
    public let kind: String
    public let payload: String
    /// 1 for the first run.
    public let attempt: Int
    public let maxAttempts: Int
    /// When the job was due: pickup latency is measured from here.
    public let dueAt: Date
    public let priority: Int
}

/// Where a claim stopped in the order of the due jobs (priority first, then `run_at`, then id).
public struct ClaimCursor: Sendable, Equatable {
    public let priority: Int
    public let runAt: Date
    public let id: Int64

    /// The last of `jobs` in claim order, where the next claim may start.
    public init?(after jobs: [ClaimedJob]) {
        guard let last = jobs.max(by: { ($0.priority, $1.dueAt, $1.id) > ($1.priority, $0.dueAt, $0.id) }) else { return nil }
        priority = last.priority
        runAt = last.dueAt
        id = last.id
    }
}
