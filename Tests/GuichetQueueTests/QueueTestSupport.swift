import Foundation
import GuichetQueue
import GuichetStore
import GuichetTestSupport
import Logging
import PostgresNIO
import Synchronization

/// A handler that runs a closure, so each test says what its jobs do.
struct ClosureHandler: JobHandler {
    let body: @Sendable (ClaimedJob) async throws -> Void

    func handle(_ job: ClaimedJob, logger: Logger) async throws {
        try await body(job)
    }
}

/// Counts how many times each job ran.
final class RunCounter: Sendable {
    private let counts = Mutex<[Int64: Int]>([:])

    func record(_ id: Int64) { counts.withLock { $0[id, default: 0] += 1 } }

    var snapshot: [Int64: Int] { counts.withLock { $0 } }
}

extension Database {
    func jobCount(state: JobState) async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM queue.jobs WHERE state = \(state.rawValue)")
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Moves every lease into the past, as if its worker had stopped beating.
    func expireLeases() async throws {
        try await client.query("UPDATE queue.jobs SET locked_until = now() - interval '1 second' WHERE state = 1")
    }

    /// Polls until `condition` holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

/// Runs workers for the duration of `body`, then stops them.
func withWorkers<Result: Sendable>(
    _ count: Int, queue: JobQueue, handlers: [String: any JobHandler], configure: (inout JobWorkerConfiguration) -> Void = { _ in },
    _ body: @Sendable () async throws -> Result
) async throws -> Result {
    let workers = (0..<count).map { index in
        var configuration = JobWorkerConfiguration(workerID: "test-worker-\(index)", concurrency: 4, pollInterval: .milliseconds(200))
        configure(&configuration)
        return JobWorker(queue: queue, handlers: handlers, configuration: configuration, logger: TestDatabase.logger)
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in workers { group.addTask { try await worker.run() } }
        defer { group.cancelAll() }
        return try await body()
    }
}
