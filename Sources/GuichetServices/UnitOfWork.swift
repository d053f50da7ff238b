import Foundation
import GuichetQueue
import GuichetStore
import Logging
import PostgresNIO
import Synchronization

/// One transaction of the service desk. What it writes commits together, and the queues of the jobs
/// it enqueued are signalled once it has committed, on whichever node or worker ran it: a worker
/// picks them up at once instead of at its next poll. Nothing signals a queue by hand.
struct UnitOfWork: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    fileprivate let filled: FilledQueues

    /// Enqueues `job` with this transaction; nil when a job with its unique key is waiting already.
    @discardableResult
    func enqueue(_ job: NewJob) async throws -> Int64? {
        filled.add(job)
        return try await JobQueue.enqueue(job, on: connection, logger: logger)
    }

    func enqueue(batch jobs: [NewJob]) async throws {
        guard !jobs.isEmpty else { return }
        for job in jobs { filled.add(job) }
        _ = try await JobQueue.enqueue(batch: jobs, on: connection, logger: logger)
    }

    func cancelJob(uniqueKey: String) async throws {
        try await JobQueue.cancel(uniqueKey: uniqueKey, on: connection, logger: logger)
    }

    /// The ticket history. An entry may fill the webhook queue: the history trigger of migration 0013
    /// writes a delivery job for every subscription that wants it.
    var history: EventRepository {
        filled.wroteHistory()
        return EventRepository(connection: connection, logger: logger)
    }
}

/// Runs units of work on the shared database and signals what they filled.
struct Transactions: Sendable {
    let database: Database
    let notifier: JobNotifier
    private let webhooks: WebhookActivity

    init(database: Database, notifier: JobNotifier) {
        self.database = database
        self.notifier = notifier
        webhooks = WebhookActivity(database: database)
    }

    /// Runs `body` in one transaction (run again on a serialization failure, see `Database.transaction`),
    /// then wakes the workers of every queue it filled.
    func run<Result: Sendable>(_ body: (UnitOfWork) async throws -> Result) async throws -> Result {
        let filled = FilledQueues()
        let logger = database.logger
        let result = try await database.transaction { connection in
            try await body(UnitOfWork(connection: connection, logger: logger, filled: filled))
        }
        for queue in filled.queues { notifier.signal(queue: queue) }
        // without a subscription, history writes no delivery: waking every worker's webhook queue
        // for nothing would cost each of them a claim
        if filled.historyWritten, await webhooks.anySubscription() { notifier.signal(queue: DeliverWebhook.queue) }
        return result
    }
}

/// Whether any webhook subscription is active, read at most once a second: a new subscription's
/// first deliveries may wait that long for a worker's poll.
final class WebhookActivity: Sendable {
    private let database: Database
    private let known = Mutex<(active: Bool, at: ContinuousClock.Instant)?>(nil)
    static let freshness = Duration.seconds(1)

    init(database: Database) {
        self.database = database
    }

    func anySubscription() async -> Bool {
        if let known = known.withLock({ $0 }), ContinuousClock.now - known.at < Self.freshness { return known.active }
        var active = true  // when the database cannot say, signalling costs a claim at most
        do {
            let rows = try await database.client.query("SELECT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active)", logger: database.logger)
            for try await exists in rows.decode(Bool.self) { active = exists }
        } catch {
            database.logger.debug("could not tell whether webhooks are subscribed", metadata: ["error": "\(error)"])
        }
        known.withLock { $0 = (active, ContinuousClock.now) }
        return active
    }
}

/// The queues a unit of work wrote jobs to, and whether it wrote history (whose trigger may).
final class FilledQueues: Sendable {
    /// A job due later than this is not signalled: an idle worker reads its queue's next due job each
    /// time it wakes, at least once per poll interval, and sleeps no longer than until then, so a
    /// worker that polls at least once a minute finds it in time. Without this, every ticket's SLA
    /// timers (due in minutes or hours) woke every worker's SLA queue for an empty claim.
    static let signalledWithin: TimeInterval = 60

    private let names = Mutex<Set<String>>([])
    private let history = Atomic<Bool>(false)

    func add(_ job: NewJob) {
        if let runAt = job.runAt, runAt.timeIntervalSinceNow > Self.signalledWithin { return }
        names.withLock { _ = $0.insert(job.queue) }
    }

    func wroteHistory() { history.store(true, ordering: .relaxed) }

    var queues: Set<String> { names.withLock { $0 } }

    var historyWritten: Bool { history.load(ordering: .relaxed) }
}
