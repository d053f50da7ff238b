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
        filled.add(job.queue)
        return try await JobQueue.enqueue(job, on: connection, logger: logger)
    }

    func enqueue(batch jobs: [NewJob]) async throws {
        guard !jobs.isEmpty else { return }
        for job in jobs { filled.add(job.queue) }
        _ = try await JobQueue.enqueue(batch: jobs, on: connection, logger: logger)
    }

    func cancelJob(uniqueKey: String) async throws {
        try await JobQueue.cancel(uniqueKey: uniqueKey, on: connection, logger: logger)
    }

    /// The ticket history. An entry may fill the webhook queue: the history trigger of migration 0013
    /// writes a delivery job for every subscription that wants it.
    var history: EventRepository {
        filled.add(DeliverWebhook.queue)
        return EventRepository(connection: connection, logger: logger)
    }
}

/// Runs units of work on the shared database and signals what they filled.
struct Transactions: Sendable {
    let database: Database
    let notifier: JobNotifier

    /// Runs `body` in one transaction (run again on a serialization failure, see `Database.transaction`),
    /// then wakes the workers of every queue it filled.
    func run<Result: Sendable>(_ body: (UnitOfWork) async throws -> Result) async throws -> Result {
        let filled = FilledQueues()
        let logger = database.logger
        let result = try await database.transaction { connection in
            try await body(UnitOfWork(connection: connection, logger: logger, filled: filled))
        }
        for queue in filled.queues { notifier.signal(queue: queue) }
        return result
    }
}

/// The queues a unit of work wrote jobs to.
final class FilledQueues: Sendable {
    private let names = Mutex<Set<String>>([])

    func add(_ queue: String) { names.withLock { _ = $0.insert(queue) } }

    var queues: Set<String> { names.withLock { $0 } }
}
