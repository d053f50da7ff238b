import Foundation
@testable import GuichetQueue
import GuichetStore
import GuichetTestSupport
import PostgresNIO
import Synchronization
import Testing

/// Lets concurrent tasks wait until a number of them reached the same point (at most ten seconds).
final class Meeting: Sendable {
    private let arrived = Atomic<Int>(0)

    func arriveAndWait(for count: Int) async throws {
        arrived.add(1, ordering: .relaxed)
        let limit = ContinuousClock.now + .seconds(60)
        while arrived.load(ordering: .relaxed) < count && ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(5)) }
    }
}

/// Tracks how many handlers run at once.
final class ConcurrencyGauge: Sendable {
    private let state = Mutex<(current: Int, peak: Int)>((0, 0))

    func enter() { state.withLock { $0.current += 1; $0.peak = max($0.peak, $0.current) } }
    func leave() { state.withLock { $0.current -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
}

@Suite("Queue operations")
struct QueueOperationsTests {
    @Test("each queue runs at most its own concurrency")
    func perQueueConcurrency() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            try await database.transaction { connection in
                let jobs = (0..<12).map { NewJob(queue: $0.isMultiple(of: 2) ? "mail" : "timers", kind: "slow") }
                try await JobQueue.enqueue(batch: jobs, on: connection, logger: TestDatabase.logger)
            }
            let gauges = ["mail": ConcurrencyGauge(), "timers": ConcurrencyGauge()]
            let handler = ClosureHandler { job in
                gauges[job.queue]!.enter()
                try await Task.sleep(for: .milliseconds(30))
                gauges[job.queue]!.leave()
            }
            let done = try await withWorkers(
                1, queue: queue, handlers: ["slow": handler],
                configure: { $0.queues = [QueueConcurrency(queue: "mail", concurrency: 1), QueueConcurrency(queue: "timers", concurrency: 3)] }
            ) {
                try await database.eventually { try await database.jobCount(state: .completed) == 12 }
            }
            #expect(done)
            #expect(gauges["mail"]!.peak == 1)
            #expect((2...3).contains(gauges["timers"]!.peak))
        }
    }

    @Test("a worker stopped mid-job gives the job back without spending an attempt")
    func releaseOnStop() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            let id = try #require(try await queue.enqueue(NewJob(kind: "endless")))
            let started = RunCounter()
            let handler = ClosureHandler { job in
                started.record(job.id)
                try await Task.sleep(for: .seconds(600))
            }
            _ = try await withWorkers(1, queue: queue, handlers: ["endless": handler]) {
                try await database.eventually { started.snapshot.count == 1 }
            }
            let rows = try await database.client.query("SELECT state, attempts, locked_by FROM queue.jobs WHERE id = \(id)")
            for try await (state, attempts, lockedBy) in rows.decode((Int16, Int, String?).self) {
                #expect(state == JobState.pending.rawValue)
                #expect(attempts == 0)
                #expect(lockedBy == nil)
            }
        }
    }

    @Test("operators retry discarded jobs, discard and cancel pending ones")
    func adminCommands() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            let failing = try #require(try await queue.enqueue(NewJob(kind: "mail", maxAttempts: 1)))
            let claimed = try await queue.claim(queue: "default", limit: 1, workerID: "w", lease: .seconds(30))
            #expect(try await queue.fail(jobID: claimed[0].id, workerID: "w", error: "smtp down", retryIn: .zero) == .discarded)
            #expect(try await queue.retry(jobID: failing) == [failing])
            let again = try await queue.claim(queue: "default", limit: 1, workerID: "w", lease: .seconds(30))
            #expect(again.map(\.id) == [failing])
            #expect(again.first?.attempt == 2)

            let unwanted = try #require(try await queue.enqueue(NewJob(kind: "timer")))
            #expect(try await queue.cancel(jobID: unwanted))
            #expect(try await !queue.cancel(jobID: unwanted), "only a pending job can be cancelled")
            let doomed = try #require(try await queue.enqueue(NewJob(kind: "timer")))
            #expect(try await queue.discard(jobID: doomed))
            let stats = try #require(try await queue.stats().first)
            #expect(stats.running == 1)
            #expect(stats.cancelled == 1)
            #expect(stats.discarded == 1)
        }
    }

    @Test("pruning deletes finished jobs past their retention and keeps the rest")
    func prune() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            try await database.client.query(
                """
                INSERT INTO queue.jobs (kind, state, finished_at)
                SELECT 'old', 2, now() - interval '2 hours' FROM generate_series(1, 250)
                UNION ALL SELECT 'recent', 2, now() FROM generate_series(1, 10)
                UNION ALL SELECT 'failed', 3, now() - interval '2 hours' FROM generate_series(1, 5)
                UNION ALL SELECT 'waiting', 0, NULL FROM generate_series(1, 5)
                """
            )
            var deleted = 0
            while true {
                let batch = try await queue.prune(completedOlderThan: .seconds(3_600), discardedOlderThan: .seconds(86_400), limit: 100)
                deleted += batch
                if batch < 100 { break }
            }
            #expect(deleted == 250)
            let rows = try await database.client.query("SELECT kind, count(*) FROM queue.jobs GROUP BY kind ORDER BY kind")
            var left: [String: Int64] = [:]
            for try await (kind, count) in rows.decode((String, Int64).self) { left[kind] = count }
            #expect(left == ["recent": 10, "failed": 5, "waiting": 5])
        }
    }

    @Test("one periodic leader at a time, each period enqueued once, and another node takes over when the leader goes")
    func periodicLeadership() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            #expect(try await queue.claimLeadership(role: "periodic", holder: "a", lease: .seconds(30)))
            #expect(try await !queue.claimLeadership(role: "periodic", holder: "b", lease: .seconds(30)))
            #expect(try await queue.claimLeadership(role: "periodic", holder: "a", lease: .seconds(30)), "the leader renews")

            let jobs = [PeriodicJob(name: "digest", schedule: .every(.seconds(3_600)), job: NewJob(kind: "digest"))]
            let a = PeriodicScheduler(queue: queue, jobs: jobs, holder: "a", logger: TestDatabase.logger)
            let b = PeriodicScheduler(queue: queue, jobs: jobs, holder: "b", logger: TestDatabase.logger)
            let now = Date()
            try await a.enqueueDue(now: now)
            try await b.enqueueDue(now: now.addingTimeInterval(1))
            let rows = try await database.client.query("SELECT count(*) FROM queue.jobs WHERE kind = 'digest'")
            for try await count in rows.decode(Int64.self) { #expect(count == 1, "a period runs once, whoever enqueues it") }

            try await database.client.query("UPDATE queue.leaders SET expires_at = now() - interval '1 second'")
            #expect(try await queue.claimLeadership(role: "periodic", holder: "b", lease: .seconds(30)), "b takes over an expired lease")
            #expect(try await !queue.claimLeadership(role: "periodic", holder: "a", lease: .seconds(30)))
        }
    }

    @Test("a deadlock between two transactions is retried and both commit")
    func deadlockRetried() async throws {
        try await TestDatabase.withFresh { database, _ in
            try await database.client.query("CREATE TABLE pair (id int PRIMARY KEY, n int)")
            try await database.client.query("INSERT INTO pair VALUES (1, 0), (2, 0)")
            let attempts = RunCounter()
            // both transactions hold their first row before either asks for its second: a sure deadlock
            let holding = Meeting()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (first, second) in [(1, 2), (2, 1)] {
                    group.addTask {
                        try await database.transaction { connection in
                            attempts.record(Int64(first))
                            try await connection.query("UPDATE pair SET n = n + 1 WHERE id = \(first)", logger: TestDatabase.logger)
                            try await holding.arriveAndWait(for: 2)
                            try await connection.query("UPDATE pair SET n = n + 1 WHERE id = \(second)", logger: TestDatabase.logger)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let rows = try await database.client.query("SELECT sum(n) FROM pair")
            for try await total in rows.decode(Int64.self) { #expect(total == 4) }
            #expect(attempts.snapshot.values.reduce(0, +) == 3, "one of the two ran twice")
        }
    }
}
