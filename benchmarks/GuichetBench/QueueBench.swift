import ArgumentParser
import Foundation
import GuichetQueue
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The queue scenarios, defined exactly as for the peer (benchmarks/peers/pgqueuer):
/// offered load (one job per commit, paced), drain of a backlog, and scheduled jobs' lateness.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "Benchmark the job queue.")

    @Option(name: .customLong("database-url")) var databaseURL: String
    @Option var scenario = "all"
    @Option var rates = "200,1000,5000"
    @Option var duration = 10.0
    @Option(name: .customLong("drain-jobs")) var drainJobs = 100_000
    @Option(name: .customLong("scheduled-jobs")) var scheduledJobs = 100_000
    @Option var window = 60.0
    @Option var concurrency = 32
    @Option(name: .customLong("enqueue-connections")) var enqueueConnections = 32

    static let queueName = "bench"
    static let kind = "bench.noop"

    func run() async throws {
        let rates = try self.rates.split(separator: ",").map { text -> Double in
            guard let rate = Double(text), rate > 0 else { throw ValidationError("bad rate \(text)") }
            return rate
        }
        let bench = self
        try await withBenchDatabase(databaseURL, connections: enqueueConnections + 12) { client, logger in
            let runner = QueueScenarios(client: client, logger: logger, concurrency: bench.concurrency, enqueueConnections: bench.enqueueConnections)
            var result: [String: Any] = [
                "peer": "guichet",
                "settings": [
                    "concurrency": bench.concurrency, "enqueue_connections": bench.enqueueConnections, "workers": 1,
                    "claim": "batched FOR UPDATE SKIP LOCKED up to free slots", "completion": "batched",
                    "wake_up": "LISTEN/NOTIFY sent after commit, coalesced; 1 s polling fallback",
                ] as [String: Any],
            ]
            if ["offered", "all"].contains(bench.scenario) {
                var offered: [[String: Any]] = []
                for rate in rates { offered.append(try await runner.offered(rate: rate, duration: bench.duration)) }
                result["offered"] = offered
            }
            if ["drain", "all"].contains(bench.scenario) { result["drain"] = try await runner.drain(jobs: bench.drainJobs) }
            if ["scheduled", "all"].contains(bench.scenario) {
                result["scheduled"] = try await runner.scheduled(jobs: bench.scheduledJobs, window: bench.window)
            }
            try printJSON(result)
        }
    }
}

/// Records when each job's handler started.
final class StartRecorder: Sendable {
    private let starts = Mutex<[Int64: ContinuousClock.Instant]>([:])
    private let lateness = Mutex(Latencies())

    func started(_ job: ClaimedJob) {
        let now = ContinuousClock.now
        let late = Date().timeIntervalSince(job.dueAt)
        starts.withLock { $0[job.id] = now }
        lateness.withLock { $0.record(seconds: late) }
    }

    var count: Int { starts.withLock { $0.count } }
    var snapshot: [Int64: ContinuousClock.Instant] { starts.withLock { $0 } }
    var latenessSummary: [String: Double] { lateness.withLock { $0.summary } }
}

/// When each enqueue call returned (its commit acknowledged).
final class EnqueueTimes: Sendable {
    private let times = Mutex<[Int64: ContinuousClock.Instant]>([:])

    func record(_ id: Int64, at instant: ContinuousClock.Instant) { times.withLock { $0[id] = instant } }

    var snapshot: [Int64: ContinuousClock.Instant] { times.withLock { $0 } }
}

struct NoOpHandler: JobHandler {
    let recorder: StartRecorder

    func handle(_ job: ClaimedJob, logger: Logger) async throws {
        recorder.started(job)
    }
}

struct QueueScenarios: Sendable {
    let client: PostgresClient
    let logger: Logger
    let concurrency: Int
    let enqueueConnections: Int

    var queue: JobQueue { JobQueue(client: client, logger: logger) }

    /// Runs a worker (and a notifier) for the duration of `body`; with `settle`, lets it LISTEN first.
    func withWorker<Result: Sendable>(
        _ recorder: StartRecorder, settle: Bool = true, _ body: @Sendable (JobNotifier) async throws -> Result
    ) async throws -> Result {
        let notifier = JobNotifier(client: client, logger: logger)
        let worker = JobWorker(
            queue: queue, handlers: [QueueBench.kind: NoOpHandler(recorder: recorder)],
            configuration: JobWorkerConfiguration(
                workerID: "bench-\(ProcessInfo.processInfo.processIdentifier)",
                queues: [QueueConcurrency(queue: QueueBench.queueName, concurrency: concurrency)]
            ),
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await notifier.run() }
            group.addTask { try await worker.run() }
            defer { group.cancelAll() }
            if settle { try await Task.sleep(for: .milliseconds(500)) }  // let the worker LISTEN before the clock starts
            return try await body(notifier)
        }
    }

    func reset() async throws {
        try await client.query("TRUNCATE queue.jobs", logger: logger)
    }

    func completed() async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM queue.jobs WHERE state = 2 AND queue = \(QueueBench.queueName)", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Waits until every job's handler has started (counted in memory: polling the table would load
    /// the database under test), then until the last completions are written; returns when the last
    /// handler started, or nil after `timeout`.
    func waitForCompletion(_ total: Int, recorder: StartRecorder, timeout: Duration) async throws -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && recorder.count < total {
            try await Task.sleep(for: .milliseconds(5))
        }
        guard recorder.count >= total else { return nil }
        let last = recorder.snapshot.values.max()
        while ContinuousClock.now < deadline {
            if try await completed() >= total { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func offered(rate: Double, duration: Double) async throws -> [String: Any] {
        try await reset()
        let total = Int(rate * duration)
        let recorder = StartRecorder()
        let returned = EnqueueTimes()
        let (first, last) = try await withWorker(recorder) { notifier in
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { lanes in
                for lane in 0..<enqueueConnections {
                    lanes.addTask {
                        var index = lane
                        while index < total {
                            let due = start + .seconds(Double(index) / rate)
                            if ContinuousClock.now < due { try await Task.sleep(until: due) }
                            let id = try await client.withConnection { connection in
                                try await JobQueue.enqueue(NewJob(queue: QueueBench.queueName, kind: QueueBench.kind), on: connection, logger: logger)
                            }
                            let now = ContinuousClock.now
                            notifier.signal(queue: QueueBench.queueName)
                            if let id { returned.record(id, at: now) }
                            index += enqueueConnections
                        }
                    }
                }
                try await lanes.waitForAll()
            }
            progress(String(format: "offered %.0f/s: enqueue phase took %.1f s", rate, (ContinuousClock.now - start).seconds))
            let end = try await waitForCompletion(total, recorder: recorder, timeout: .seconds(30))
            return (start, end)
        }
        var pickup = Latencies()
        let starts = recorder.snapshot
        for (id, enqueued) in returned.snapshot {
            if let started = starts[id] { pickup.record(seconds: (started - enqueued).seconds) }
        }
        let done = try await completed()
        let elapsed = ((last ?? .now) - first).seconds
        progress(String(format: "offered %.0f/s: %d/%d completed, pickup p99 %.1f ms", rate, done, total, pickup.milliseconds(99)))
        return [
            "rate": rate, "duration_s": duration, "enqueued": returned.snapshot.count, "completed": done,
            "achieved_per_s": Double(done) / elapsed, "pickup_ms": pickup.summary,
        ]
    }

    func drain(jobs: Int) async throws -> [String: Any] {
        try await reset()
        try await insert(jobs) { _ in nil }
        let recorder = StartRecorder()
        let start = ContinuousClock.now
        let seconds = try await withWorker(recorder, settle: false) { _ in
            let end = try await waitForCompletion(jobs, recorder: recorder, timeout: .seconds(600))
            return ((end ?? .now) - start).seconds
        }
        progress(String(format: "drain: %d jobs in %.1f s", jobs, seconds))
        return ["jobs": jobs, "seconds": seconds, "per_s": Double(jobs) / seconds]
    }

    func scheduled(jobs: Int, window: Double) async throws -> [String: Any] {
        try await reset()
        let recorder = StartRecorder()
        try await withWorker(recorder) { _ in
            let base = Date().addingTimeInterval(2)
            try await insert(jobs) { index in base.addingTimeInterval(window * Double(index) / Double(jobs)) }
            _ = try await waitForCompletion(jobs, recorder: recorder, timeout: .seconds(window + 62))
        }
        let lateness = recorder.latenessSummary
        progress(String(format: "scheduled: %d jobs, lateness p99 %.1f ms", recorder.count, lateness["p99"] ?? -1))
        return ["jobs": jobs, "window_s": window, "completed": recorder.count, "lateness_ms": lateness]
    }

    /// Inserts the jobs up front (set-up, not measured).
    func insert(_ count: Int, runAt: (Int) -> Date?) async throws {
        try await queue.enqueue(many: (0..<count).map { NewJob(queue: QueueBench.queueName, kind: QueueBench.kind, runAt: runAt($0)) })
    }
}
