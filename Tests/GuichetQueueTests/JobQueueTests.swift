import Foundation
import GuichetQueue
import GuichetStore
import GuichetTestSupport
import PostgresNIO
import Synchronization
import Testing

@Suite("Job queue")
struct JobQueueTests {
    @Test("4 concurrent workers over 2,000 jobs run each job exactly once")
    func exactlyOnceWithoutFailures() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            try await database.transaction { connection in
                for index in 0..<2_000 {
                    try await JobQueue.enqueue(NewJob(kind: "count", payload: #"{"n":\#(index)}"#), on: connection, logger: TestDatabase.logger)
                }
            }
            let counter = RunCounter()
            let handler = ClosureHandler { job in counter.record(job.id) }
            let finished = try await withWorkers(4, queue: queue, handlers: ["count": handler]) {
                try await database.eventually { try await database.jobCount(state: .completed) == 2_000 }
            }
            #expect(finished)
            let counts = counter.snapshot
            #expect(counts.count == 2_000)
            #expect(counts.values.allSatisfy { $0 == 1 })
            #expect(try await database.jobCount(state: .pending) == 0)
        }
    }

    @Test("a failing job is retried with backoff, then kept as discarded with every error")
    func retriesThenDiscards() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            let id = try #require(try await queue.enqueue(NewJob(kind: "flaky", maxAttempts: 3)))
            let handler = ClosureHandler { job in throw TestFailure(message: "printer on fire (attempt \(job.attempt))") }
            let discarded = try await withWorkers(
                1, queue: queue, handlers: ["flaky": handler],
                configure: { $0.retry = RetryPolicy(base: .milliseconds(50), cap: .milliseconds(200), jitter: 0) }
            ) {
                try await database.eventually { try await database.jobCount(state: .discarded) == 1 }
            }
            #expect(discarded)
            let rows = try await database.client.query(
                """
                SELECT attempts, jsonb_array_length(errors), errors->0->>'error', errors->2->>'error',
                       extract(epoch FROM (errors->1->>'at')::timestamptz - (errors->0->>'at')::timestamptz)::float8,
                       extract(epoch FROM (errors->2->>'at')::timestamptz - (errors->1->>'at')::timestamptz)::float8
                FROM queue.jobs WHERE id = \(id)
                """
            )
            for try await (attempts, errorCount, first, last, firstGap, secondGap) in rows.decode((Int, Int, String, String, Double, Double).self) {
                #expect(attempts == 3)
                #expect(errorCount == 3)
                #expect(first.contains("printer on fire (attempt 1)"))
                #expect(last.contains("attempt 3"))
                // backoff doubles: at least 50 ms before the second attempt, 100 ms before the third
                #expect(firstGap >= 0.045)
                #expect(secondGap >= 0.095)
            }
        }
    }

    struct Greeting: JobParameters, Equatable {
        static let queue = "default"
        static let kind = "greeting"
        var personId: Int64
        var sentAt: Date
    }

    @Test("a typed job's payload round-trips; one its handler cannot read is discarded at once, saying what was wrong")
    func typedPayloads() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            let sent = Greeting(personId: 42, sentAt: Date(timeIntervalSince1970: 1_800_000_000))
            let good = try #require(try await queue.enqueue(NewJob(sent, maxAttempts: 5)))
            let bad = try #require(try await queue.enqueue(NewJob(kind: Greeting.kind, payload: #"{"person_id":"forty-two"}"#, maxAttempts: 5)))
            let received = Mutex<[Greeting]>([])
            let handler = ClosureHandler { job in
                let greeting = try job.parameters(Greeting.self)
                received.withLock { $0.append(greeting) }
            }
            let settled = try await withWorkers(1, queue: queue, handlers: [Greeting.kind: handler]) {
                try await database.eventually {
                    let (discarded, completed) = (try await database.jobCount(state: .discarded), try await database.jobCount(state: .completed))
                    return discarded == 1 && completed == 1
                }
            }
            #expect(settled)
            #expect(received.withLock { $0 } == [sent], "job \(good) ran with its payload as sent")
            let rows = try await database.client.query("SELECT id, state, attempts, errors->0->>'error' FROM queue.jobs WHERE id = \(bad)")
            for try await (id, state, attempts, error) in rows.decode((Int64, Int16, Int, String).self) {
                #expect(id == bad && state == JobState.discarded.rawValue)
                #expect(attempts == 1, "no retry can mend a payload")
                #expect(error.contains("payload of a greeting job cannot be read") && error.contains("forty-two"), "\(error)")
            }
        }
    }

    @Test("a failed attempt is due again only after its backoff")
    func failedJobWaits() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            try await queue.enqueue(NewJob(kind: "later"))
            let claimed = try await queue.claim(queue: "default", limit: 5, workerID: "w", lease: .seconds(30))
            #expect(claimed.count == 1)
            let state = try await queue.fail(jobID: claimed[0].id, workerID: "w", error: "smtp down", retryIn: .seconds(60))
            #expect(state == .pending)
            #expect(try await queue.claim(queue: "default", limit: 5, workerID: "w", lease: .seconds(30)).isEmpty)
        }
    }

    @Test("a job whose worker died is claimed again after its lease expires, and the dead worker cannot complete it")
    func leaseExpiry() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            let id = try #require(try await queue.enqueue(NewJob(kind: "long")))
            let first = try await queue.claim(queue: "default", limit: 1, workerID: "dead", lease: .seconds(30))
            #expect(first.map(\.id) == [id])
            #expect(try await queue.rescueExpired().isEmpty, "a live lease is left alone")
            try await database.expireLeases()
            #expect(try await queue.rescueExpired() == [id])
            let second = try await queue.claim(queue: "default", limit: 1, workerID: "alive", lease: .seconds(30))
            #expect(second.map(\.id) == [id])
            #expect(second.first?.attempt == 2)
            #expect(try await queue.complete(jobID: id, workerID: "dead") == false)
            #expect(try await queue.complete(jobID: id, workerID: "alive") == true)
            #expect(try await queue.rescueExpired().isEmpty, "a completed job is never rescued")
        }
    }

    @Test("a running job's lease is kept alive by heartbeats")
    func heartbeat() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            try await queue.enqueue(NewJob(kind: "long"))
            try await queue.enqueue(NewJob(kind: "lost"))
            let claimed = try await queue.claim(queue: "default", limit: 2, workerID: "busy", lease: .seconds(1))
            let known = claimed[0].id
            #expect(try await queue.heartbeat(workerID: "someone-else", jobIDs: [known], lease: .seconds(600)) == 0)
            // the second claim's answer was "lost": the worker does not know it holds it, so only the first is extended
            #expect(try await queue.heartbeat(workerID: "busy", jobIDs: [known], lease: .seconds(600)) == 1)
            let rows = try await database.client.query("SELECT id, locked_until > now() + interval '500 seconds' FROM queue.jobs")
            for try await (id, extended) in rows.decode((Int64, Bool).self) { #expect(extended == (id == known)) }
        }
    }

    @Test("a job enqueued in a transaction that rolls back never exists")
    func transactionalEnqueue() async throws {
        try await TestDatabase.withFresh { database, _ in
            await #expect(throws: Abort.self) {
                try await database.transaction { connection in
                    try await JobQueue.enqueue(NewJob(kind: "ghost"), on: connection, logger: TestDatabase.logger)
                    throw Abort()
                }
            }
            let pending = try await database.jobCount(state: .pending)
            #expect(pending == 0)
        }
    }

    @Test("a unique key admits one pending job, and a new one once it is done")
    func uniqueKey() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            let first = try await queue.enqueue(NewJob(kind: "timer", uniqueKey: "sla:1:tto"))
            #expect(first != nil)
            #expect(try await queue.enqueue(NewJob(kind: "timer", uniqueKey: "sla:1:tto")) == nil)
            let claimed = try await queue.claim(queue: "default", limit: 1, workerID: "w", lease: .seconds(30))
            try await queue.complete(jobID: claimed[0].id, workerID: "w")
            #expect(try await queue.enqueue(NewJob(kind: "timer", uniqueKey: "sla:1:tto")) != nil)
        }
    }

    @Test("a scheduled job is not claimed before its run_at")
    func scheduled() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            try await queue.enqueue(NewJob(kind: "later", runAt: Date().addingTimeInterval(3_600)))
            #expect(try await queue.claim(queue: "default", limit: 1, workerID: "w", lease: .seconds(30)).isEmpty)
            try await database.client.query("UPDATE queue.jobs SET run_at = now() - interval '1 second'")
            #expect(try await queue.claim(queue: "default", limit: 1, workerID: "w", lease: .seconds(30)).count == 1)
        }
    }

    @Test("an idle worker is woken by NOTIFY, not by its poll")
    func notifyWakesWorker() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            let counter = RunCounter()
            let handler = ClosureHandler { job in counter.record(job.id) }
            let picked = try await withWorkers(1, queue: queue, handlers: ["ping": handler], configure: { $0.pollInterval = .seconds(60) }) {
                // let the worker go idle on its first (empty) poll
                try await Task.sleep(for: .milliseconds(500))
                try await queue.enqueue(NewJob(kind: "ping"))
                return try await database.eventually(timeout: .seconds(10)) { counter.snapshot.count == 1 }
            }
            #expect(picked)
        }
    }

    @Test("jobs of queues a worker does not serve stay pending")
    func queuesAreSeparate() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            try await queue.enqueue(NewJob(queue: "mail", kind: "send"))
            #expect(try await queue.claim(queue: "default", limit: 5, workerID: "w", lease: .seconds(30)).isEmpty)
            #expect(try await queue.depth() == [QueueDepth(queue: "mail", state: .pending, count: 1)])
        }
    }

    @Test("a claim resumed after a cursor takes the jobs after it, in order; one from the start still takes a higher priority first")
    func resumedClaims() async throws {
        try await TestDatabase.withFresh { database, _ in
            let queue = JobQueue(client: database.client, logger: TestDatabase.logger)
            _ = try await queue.enqueue(many: (0..<30).map { _ in NewJob(kind: "bulk") })
            let first = try await queue.claim(queue: "default", limit: 10, workerID: "w", lease: .seconds(30))
            let cursor = try #require(ClaimCursor(after: first))
            #expect(cursor.id == first.map(\.id).max())
            let urgent = try #require(try await queue.enqueue(NewJob(kind: "urgent", priority: 5)))
            let resumed = try await queue.claim(queue: "default", limit: 10, workerID: "w", lease: .seconds(30), after: cursor)
            #expect(resumed.count == 10 && resumed.allSatisfy { $0.id > cursor.id && $0.kind == "bulk" })
            let fromStart = try await queue.claim(queue: "default", limit: 5, workerID: "w", lease: .seconds(30))
            #expect(fromStart.first?.id == urgent, "the higher priority first")
            #expect(fromStart.dropFirst().allSatisfy { $0.kind == "bulk" && $0.id > (resumed.map(\.id).max() ?? 0) })
        }
    }

}

struct Abort: Error {}

struct TestFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }

}
