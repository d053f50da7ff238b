import Logging
import Synchronization

/// Collects finished jobs and marks them completed in batches: one UPDATE for everything that ended
/// while the previous one was on its way. A job stays leased until its batch is written, so a crash
/// in between only means it runs again (delivery is at-least-once).
final class CompletionBuffer: Sendable {
    private let queue: JobQueue
    private let workerID: String
    private let held: HeldJobs
    private let logger: Logger
    private let finished = Mutex<[Int64]>([])
    private let doorbell = Doorbell()
    private let closed = Atomic<Bool>(false)

    init(queue: JobQueue, workerID: String, held: HeldJobs, logger: Logger) {
        self.queue = queue
        self.workerID = workerID
        self.held = held
        self.logger = logger
    }

    func add(_ jobID: Int64) {
        finished.withLock { $0.append(jobID) }
        doorbell.ring()
    }

    /// Ends `run()` once what was added so far is written.
    func close() {
        closed.store(true, ordering: .releasing)
        doorbell.ring()
    }

    /// Writes batches until closed or cancelled, then writes what is left. That last write runs in a
    /// task of its own: a cancelled task cannot query, and a completion lost here would run the job again.
    func run() async {
        var backoff = Duration.milliseconds(50)
        while !closed.load(ordering: .acquiring) && !Task.isCancelled {
            await doorbell.wait(upTo: .seconds(1))
            if await flush() {
                backoff = .milliseconds(50)
            } else {
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        _ = await Task { await self.flush() }.value
    }

    /// Returns false when the database could not be reached; the batch is kept for the next try.
    @discardableResult
    private func flush() async -> Bool {
        let batch = finished.withLock { ids -> [Int64] in
            defer { ids.removeAll() }
            return ids
        }
        guard !batch.isEmpty else { return true }
        do {
            let (queue, workerID) = (self.queue, self.workerID)
            let done = try await withDeadline(.seconds(10), "recording completions") { try await queue.complete(jobIDs: batch, workerID: workerID) }
            held.remove(batch)
            if done.count < batch.count {
                logger.warning("jobs finished after their lease was lost; they may run again elsewhere", metadata: ["jobs": "\(batch.count - done.count)"])
            }
            return true
        } catch {
            finished.withLock { $0.insert(contentsOf: batch, at: 0) }
            logger.warning("recording completed jobs failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }
}
