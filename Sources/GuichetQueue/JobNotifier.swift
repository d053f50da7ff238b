import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Wakes idle workers after jobs were enqueued, outside the enqueuing transactions.
///
/// A `pg_notify` inside every enqueue transaction takes PostgreSQL's notification lock until that
/// transaction's commit is flushed, which serialises all enqueuing commits. Here the transaction
/// only inserts; once it has committed, its caller signals the queue, and this service sends one
/// NOTIFY per queue for every signal that arrived while the previous NOTIFY was on its way. A burst
/// of thousands of enqueues costs a few notifications; a lone enqueue is announced at once. Should
/// the process die between commit and signal, workers' polling picks the job up.
public final class JobNotifier: Service, Sendable {
    let client: PostgresClient
    let logger: Logger
    private let pending = Mutex<Set<String>>([])
    private let doorbell = Doorbell()

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Announces that `queue` has new due jobs; call it after the enqueuing transaction committed.
    public func signal(queue: String) {
        pending.withLock { _ = $0.insert(queue) }
        doorbell.ring()
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await doorbell.wait(upTo: .seconds(60))
                await flush()
            }
            await flush()
        } onGracefulShutdown: {
            self.doorbell.ring()
        }
    }

    private func flush() async {
        let queues = pending.withLock { queues -> [String] in
            defer { queues.removeAll() }
            return Array(queues)
        }
        guard !queues.isEmpty else { return }
        do {
            let (client, logger) = (self.client, self.logger)
            try await withDeadline(.seconds(5), "announcing jobs") { try await JobQueue.announceUndurably(queues, client: client, logger: logger) }
        } catch {
            logger.warning("job notification failed; workers will poll", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
