import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// A worker process's job runner: claims due jobs, runs their handlers under a lease kept alive by
/// heartbeats, retries failures with backoff, rescues jobs of dead workers, and drains on graceful shutdown.
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
        let doorbell = Doorbell()
        let slots = Slots(configuration.concurrency)
        logger.info("worker started", metadata: ["queues": "\(configuration.queues.joined(separator: ","))"])
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await self.listen(ringing: doorbell) }
            background.addTask { await self.keepLeases() }
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { running in
                    while !Task.isShuttingDownGracefully && !Task.isCancelled {
                        let free = slots.available
                        let claimed = free > 0 ? await claim(limit: free) : []
                        for job in claimed {
                            slots.take()
                            running.addTask {
                                await self.execute(job)
                                slots.giveBack()
                                doorbell.ring()
                            }
                        }
                        if claimed.count < free || free == 0 {
                            await doorbell.wait(upTo: configuration.pollInterval)
                        }
                    }
                    logger.info("worker draining: no new claims, waiting for running jobs")
                }
            } onGracefulShutdown: {
                doorbell.ring()
            }
            background.cancelAll()
        }
        logger.info("worker stopped")
    }

    private func claim(limit: Int) async -> [ClaimedJob] {
        do {
            return try await queue.claim(queues: configuration.queues, limit: limit, workerID: configuration.workerID, lease: configuration.lease)
        } catch {
            logger.error("claiming jobs failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            try? await Task.sleep(for: configuration.pollInterval)
            return []
        }
    }

    private func execute(_ job: ClaimedJob) async {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "job_kind"] = .string(job.kind)
        let dimensions = [("queue", job.queue), ("kind", job.kind)]
        Metrics.Timer(label: "guichet_job_pickup_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(max(0, Date().timeIntervalSince(job.dueAt)) * 1e9))
        let started = ContinuousClock.now
        do {
            guard let handler = handlers[job.kind] else { throw UnknownJobKind(kind: job.kind) }
            try await handler.handle(job, logger: logger)
            Metrics.Timer(label: "guichet_job_run_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
                .record(duration: ContinuousClock.now - started)
            if try await !queue.complete(jobID: job.id, workerID: configuration.workerID) {
                logger.warning("job finished after its lease was lost; it may run again elsewhere")
            }
            Counter(label: "guichet_jobs_completed_total", dimensions: dimensions).increment()
        } catch {
            Counter(label: "guichet_jobs_failed_total", dimensions: dimensions).increment()
            let delay = configuration.retry.delay(afterAttempt: job.attempt)
            logger.warning(
                "job attempt failed",
                metadata: ["attempt": "\(job.attempt)/\(job.maxAttempts)", "error": "\(String(reflecting: error))"]
            )
            do {
                let state = try await queue.fail(jobID: job.id, workerID: configuration.workerID, error: "\(error)", retryIn: delay)
                if state == .discarded { logger.error("job discarded: no attempt left") }
            } catch {
                logger.error("recording a job failure failed; its lease will expire", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// LISTEN on the queue channel, reconnecting with backoff when the connection drops.
    private func listen(ringing doorbell: Doorbell) async {
        var backoff = Duration.milliseconds(100)
        let queues = Set(configuration.queues)
        while !Task.isCancelled {
            do {
                try await queue.client.withConnection { connection in
                    try await connection.listen(on: JobQueue.channel) { notifications in
                        backoff = .milliseconds(100)
                        doorbell.ring()  // anything enqueued while we were not listening
                        for try await notification in notifications
                        where notification.payload == "*" || queues.contains(notification.payload) {
                            doorbell.ring()
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

    /// Renews the leases of running jobs and gives back those of dead workers.
    private func keepLeases() async {
        while !Task.isCancelled {
            do {
                try await queue.heartbeat(workerID: configuration.workerID, lease: configuration.lease)
                let rescued = try await queue.rescueExpired()
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
