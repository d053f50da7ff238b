import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// A worker process's job runner: per queue, claims due jobs in batches up to its free slots, runs
/// their handlers under a lease kept alive by heartbeats, records completions in batches, retries
/// failures with backoff, rescues jobs of dead workers, and drains on graceful shutdown.
public struct JobWorker: Service {
    let queue: JobQueue
    let handlers: [String: any JobHandler]
    let configuration: JobWorkerConfiguration
    let logger: Logger

    public init(queue: JobQueue, handlers: [String: any JobHandler], configuration: JobWorkerConfiguration, logger: Logger) {
        self.queue = queue
        self.handlers = handlers
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "worker"] = .string(configuration.workerID)
        self.logger = logger
    }

    public func run() async throws {
        let doorbells = Dictionary(uniqueKeysWithValues: configuration.queues.map { ($0.queue, Doorbell()) })
        let held = HeldJobs()
        let completions = CompletionBuffer(queue: queue, workerID: configuration.workerID, held: held, logger: logger)
        await releaseJobsOfPreviousRun()
        logger.info(
            "worker started",
            metadata: ["queues": "\(configuration.queues.map { "\($0.queue)=\($0.concurrency)" }.joined(separator: ","))"]
        )
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await self.listen(ringing: doorbells) }
            background.addTask { await self.keepLeases(of: held) }
            async let completionsRecorded: Void = completions.run()
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { loops in
                    for queueConcurrency in configuration.queues {
                        loops.addTask {
                            await self.serve(
                                queueConcurrency, doorbell: doorbells[queueConcurrency.queue]!, held: held, completions: completions
                            )
                        }
                    }
                }
            } onGracefulShutdown: {
                for doorbell in doorbells.values { doorbell.ring() }
            }
            // Heartbeats go on until the last completions are written; cancelling the writer instead
            // could lose a batch in flight.
            completions.close()
            await completionsRecorded
            background.cancelAll()
        }
        logger.info("worker stopped")
    }

    /// The claim loop of one queue: never holds more jobs than it has free slots.
    private func serve(_ served: QueueConcurrency, doorbell: Doorbell, held: HeldJobs, completions: CompletionBuffer) async {
        let slots = Slots(served.concurrency)
        // Under load, wait for a quarter of the slots to free up (a few milliseconds at most) so that
        // one claim fetches many jobs instead of one round trip per finished job.
        let refill = max(1, served.concurrency / 4)
        var busy = false
        // While busy, a claim starts where the previous one stopped, and every few claims from the
        // start again (see `JobQueue.claim(after:)`); a resumed claim that comes back short is
        // followed at once by one from the start.
        var cursor: ClaimCursor?
        var resumed = 0
        await withDiscardingTaskGroup { running in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if busy { await slots.waitUntil(free: refill, doorbell: doorbell, upTo: .milliseconds(2)) }
                let free = slots.available
                let resume = busy && resumed < 8 ? cursor : nil
                let claimed = free > 0 ? await claim(served.queue, limit: free, after: resume) : []
                resumed = resume == nil ? 0 : resumed + 1
                busy = free > 0 && claimed.count == free
                cursor = busy ? ClaimCursor(after: claimed) : nil
                let shortAfterResuming = resume != nil && !busy
                if shortAfterResuming { busy = true }
                held.add(claimed.map(\.id))
                for job in claimed {
                    slots.take()
                    running.addTask {
                        await self.execute(job, held: held, completions: completions)
                        // only a loop waiting for slots is woken: an idle one waits for new jobs, not
                        // for the end of the ones it runs (that cost an empty claim per job)
                        if slots.giveBack() { doorbell.ring() }
                    }
                }
                if shortAfterResuming {
                    continue
                } else if free == 0 {
                    await slots.waitUntil(free: 1, doorbell: doorbell, upTo: configuration.pollInterval)
                } else if claimed.count < free && !doorbell.answer() {
                    // a ring that came during the claim means new jobs: claim again rather than ask when the
                    // next is due (answering it, or the loop would claim again and again on one ring)
                    await doorbell.wait(upTo: await idleWait(served.queue))
                }
            }
            if slots.available < served.concurrency {
                logger.info("draining: waiting for running jobs", metadata: ["queue": "\(served.queue)"])
            }
        }
    }

    /// How long an idle loop may sleep: until the next scheduled job is due, at most the poll interval.
    private func idleWait(_ name: String) async -> Duration {
        let queue = self.queue
        guard let due = try? await withDeadline(configuration.lease / 2, "next due job", { try await queue.nextDue(queue: name) }) else {
            return configuration.pollInterval
        }
        let wait = Duration.milliseconds(Int64(max(0, due.timeIntervalSinceNow) * 1000))
        return min(wait, configuration.pollInterval)
    }

    private func claim(_ name: String, limit: Int, after cursor: ClaimCursor?) async -> [ClaimedJob] {
        do {
            let (queue, workerID, lease) = (self.queue, configuration.workerID, configuration.lease)
            return try await withDeadline(lease / 2, "claiming jobs") {
                try await queue.claim(queue: name, limit: limit, workerID: workerID, lease: lease, after: cursor)
            }
        } catch {
            if Task.isCancelled { return [] }
            logger.error("claiming jobs failed; retrying", metadata: ["queue": "\(name)", "error": "\(String(reflecting: error))"])
            try? await Task.sleep(for: configuration.pollInterval)
            return []
        }
    }

    private func execute(_ job: ClaimedJob, held: HeldJobs, completions: CompletionBuffer) async {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "job_kind"] = .string(job.kind)
        let dimensions = [("queue", job.queue), ("kind", job.kind)]
        Metrics.Timer(label: "guichet_job_pickup_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(max(0, Date().timeIntervalSince(job.dueAt)) * 1e9))
        let started = ContinuousClock.now
        do {
            guard let handler = handlers[job.kind] else { throw UnknownJobKind(kind: job.kind) }
            let jobLogger = logger
            try await withDeadline(configuration.jobTimeout, "job \(job.kind)") { try await handler.handle(job, logger: jobLogger) }
            Metrics.Timer(label: "guichet_job_run_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
                .record(duration: ContinuousClock.now - started)
            completions.add(job.id)
            Counter(label: "guichet_jobs_completed_total", dimensions: dimensions).increment()
        } catch where Task.isCancelled {
            await giveBack(job, logger: logger)
            held.remove([job.id])
        } catch {
            Counter(label: "guichet_jobs_failed_total", dimensions: dimensions).increment()
            await recordFailure(of: job, error: error, logger: logger)
            held.remove([job.id])
        }
    }

    private func recordFailure(of job: ClaimedJob, error: any Error, logger: Logger) async {
        let delay = configuration.retry.delay(afterAttempt: job.attempt)
        logger.warning("job attempt failed", metadata: ["attempt": "\(job.attempt)/\(job.maxAttempts)", "error": "\(String(reflecting: error))"])
        do {
            let (queue, workerID, message, permanently) = (self.queue, configuration.workerID, "\(error)", error is any PermanentJobFailure)
            let state = try await withDeadline(configuration.lease / 2, "recording a failure") {
                try await queue.fail(jobID: job.id, workerID: workerID, error: message, retryIn: delay, permanently: permanently)
            }
            if state == .discarded { logger.error(permanently ? "job discarded: no retry can mend it" : "job discarded: no attempt left") }
            if state == .pending { Counter(label: "guichet_jobs_retried_total", dimensions: [("queue", job.queue), ("kind", job.kind)]).increment() }
        } catch {
            logger.error("recording a job failure failed; its lease will expire", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// A job interrupted by shutdown goes back to the queue without spending an attempt. The release
    /// runs in a task of its own because this one is cancelled; it is awaited, so it ends before us.
    private func giveBack(_ job: ClaimedJob, logger: Logger) async {
        let queue = self.queue
        let workerID = configuration.workerID
        let released = await Task {
            try? await queue.release(jobID: job.id, workerID: workerID)
        }.value
        logger.info("job given back at shutdown", metadata: ["released": "\(released ?? false)"])
    }

    /// A worker restarted under the same id finds the jobs its previous process held: they are not
    /// running any more, and its heartbeats would otherwise keep them leased for ever.
    private func releaseJobsOfPreviousRun() async {
        do {
            let released = try await queue.releaseAll(workerID: configuration.workerID)
            if released > 0 { logger.warning("gave back jobs left by a previous run of this worker", metadata: ["jobs": "\(released)"]) }
        } catch {
            logger.warning("could not check for jobs of a previous run; their leases will expire", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// LISTEN on the queue channel, reconnecting with backoff when the connection drops.
    private func listen(ringing doorbells: [String: Doorbell]) async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await queue.client.withConnection { connection in
                    try await connection.listen(on: JobQueue.channel) { notifications in
                        backoff = .milliseconds(100)
                        // anything enqueued while we were not listening
                        for doorbell in doorbells.values { doorbell.ring() }
                        for try await notification in notifications {
                            if notification.payload == "*" {
                                for doorbell in doorbells.values { doorbell.ring() }
                            } else {
                                doorbells[notification.payload]?.ring()
                            }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("job notifications lost; polling until they are back", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// Renews the leases of the jobs this worker holds and gives back those of dead workers.
    private func keepLeases(of held: HeldJobs) async {
        while !Task.isCancelled {
            do {
                let (queue, workerID, lease, ids) = (self.queue, configuration.workerID, configuration.lease, held.ids)
                _ = try await withDeadline(lease / 3, "heartbeat") { try await queue.heartbeat(workerID: workerID, jobIDs: ids, lease: lease) }
                let rescued = try await withDeadline(lease / 3, "rescue") { try await queue.rescueExpired() }
                if !rescued.isEmpty { Counter(label: "guichet_jobs_rescued_total").increment(by: rescued.count) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("lease upkeep failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: configuration.heartbeatInterval)
        }
    }
}

/// A job whose kind no handler of this worker knows.
struct UnknownJobKind: Error, CustomStringConvertible {
    let kind: String
    var description: String { "no handler for job kind '\(kind)'" }
}
