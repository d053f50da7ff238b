import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL job queue: jobs live in `queue.jobs`, are claimed with `FOR UPDATE SKIP LOCKED`
/// under a lease, and announced on a NOTIFY channel so idle workers wake at once.
public struct JobQueue: Sendable {
    /// The NOTIFY channel that carries the name of a queue that just received a due job.
    public static let channel = "guichet_jobs"

    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Enqueues inside the caller's transaction: the job exists if and only if the caller commits.
    /// Returns the job id, or `nil` when a pending or running job already holds `uniqueKey`. Signal
    /// the `JobNotifier` once the transaction has committed so that an idle worker starts it at once.
    @discardableResult
    public static func enqueue(_ job: NewJob, on connection: PostgresConnection, logger: Logger) async throws -> Int64? {
        let rows = try await connection.query(
            """
            INSERT INTO queue.jobs (queue, kind, payload, run_at, priority, max_attempts, unique_key)
            VALUES (\(job.queue), \(job.kind), \(job.payload)::jsonb, coalesce(\(job.runAt), now()),
                    \(job.priority), \(job.maxAttempts), \(job.uniqueKey))
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN (0, 1) DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    /// Enqueues many jobs of one queue in one statement, inside the caller's transaction.
    /// Returns how many were inserted (jobs whose unique key is taken are skipped).
    @discardableResult
    public static func enqueue(batch jobs: [NewJob], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        let rows = try await connection.query(
            """
            INSERT INTO queue.jobs (queue, kind, payload, run_at, priority, max_attempts, unique_key)
            SELECT q, k, p::jsonb, CASE WHEN r <= 'epoch' THEN now() ELSE r END, pr, m, nullif(u, '')
            FROM unnest(\(jobs.map(\.queue))::text[], \(jobs.map(\.kind))::text[], \(jobs.map(\.payload))::text[],
                        \(jobs.map { $0.runAt ?? Date(timeIntervalSince1970: 0) })::timestamptz[], \(jobs.map(\.priority))::smallint[],
                        \(jobs.map(\.maxAttempts))::int[], \(jobs.map { $0.uniqueKey ?? "" })::text[]) AS j(q, k, p, r, pr, m, u)
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN (0, 1) DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        return try await rows.decode(Int64.self).reduce(0) { count, _ in count + 1 }
    }

    /// Enqueues a large set of jobs (back-fills, probes) in statements of `chunk` jobs, each its own
    /// transaction, then announces their queues. Returns how many were inserted.
    @discardableResult
    public func enqueue(many jobs: [NewJob], chunk: Int = 5_000) async throws -> Int {
        var inserted = 0
        for start in stride(from: 0, to: jobs.count, by: chunk) {
            let slice = Array(jobs[start..<min(jobs.count, start + chunk)])
            inserted += try await client.withConnection { try await Self.enqueue(batch: slice, on: $0, logger: logger) }
        }
        for queue in Set(jobs.map(\.queue)) { try await announce(queue) }
        return inserted
    }

    /// Enqueues in a transaction of its own and announces the job.
    @discardableResult
    public func enqueue(_ job: NewJob) async throws -> Int64? {
        let id = try await client.withConnection { connection in
            try await Self.enqueue(job, on: connection, logger: logger)
        }
        if id != nil, (job.runAt ?? .distantPast) <= Date() { try await announce(job.queue) }
        return id
    }

    /// Wakes the workers of `queue` (`*`: of every queue) at once, outside any enqueuing transaction.
    public func announce(_ queue: String) async throws {
        try await client.withConnection { try await Self.announce([queue], on: $0, logger: logger) }
    }

    /// Sends one notification per queue on `connection`.
    static func announce(_ queues: [String], on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(channel), q) FROM unnest(\(queues)::text[]) AS q", logger: logger)
    }

    /// Sends one notification per queue in a statement of its own, whose commit does not wait for a
    /// WAL flush (a notification needs no durability): one round trip, where BEGIN, SET LOCAL,
    /// NOTIFY and COMMIT took four.
    static func announceUndurably(_ queues: [String], client: PostgresClient, logger: Logger) async throws {
        try await client.query(
            "SELECT set_config('synchronous_commit', 'off', true), pg_notify(\(channel), q) FROM unnest(\(queues)::text[]) AS q",
            logger: logger
        )
    }

    /// Leases up to `limit` due jobs of `queue` to `workerID` for `lease`, most urgent first. One
    /// queue per call: with an equality on the queue the due-jobs index gives the order, so the
    /// claim reads `limit` index entries whatever the backlog (a list of queues would sort it all).
    ///
    /// With `after`, the claim starts where an earlier one stopped, among jobs of the same priority:
    /// the entries before it are those of jobs already claimed, which stay in the index until
    /// vacuum, so a busy worker would otherwise read them again at every claim (the cost of a claim
    /// growing with every job drained). The worker comes back to a claim from the start every few
    /// claims, for jobs enqueued meanwhile with a higher priority or an earlier `run_at`.
    ///
    /// Like a completion, a claim commits without waiting for the disk: a claim lost in a database
    /// crash puts the job back to pending, so it runs again, as if its worker had been killed while
    /// running it (at-least-once). A clean shutdown or restart loses nothing, and the handler starts
    /// a disk flush sooner.
    ///
    /// The claim is the function `queue.claim_jobs`, planned with sorts and sequential scans turned
    /// off: as a plain statement, right after a burst of enqueues (statistics still saying the table
    /// was nearly empty) the planner sorted the whole backlog at every claim.
    public func claim(queue: String, limit: Int, workerID: String, lease: Duration, after cursor: ClaimCursor? = nil) async throws -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        // queue.claim_jobs (migration 0021) is planned so that the jobs come from the due-jobs index in
        // order whatever the table's statistics say
        let rows = try await client.query(
            """
            SELECT id, queue, kind, payload, attempts, max_attempts, run_at, priority
            FROM queue.claim_jobs(\(queue), \(limit)::integer, \(workerID), \(lease.seconds), \(cursor?.priority)::smallint,
                                  \(cursor?.runAt)::timestamptz, \(cursor?.id)::bigint)
            """,
            logger: logger
        )
        var jobs: [ClaimedJob] = []
        for try await (id, queue, kind, payload, attempt, maxAttempts, dueAt, priority) in rows.decode(
            (Int64, String, String, String, Int, Int, Date, Int).self
        ) {
            jobs.append(
                ClaimedJob(id: id, queue: queue, kind: kind, payload: payload, attempt: attempt, maxAttempts: maxAttempts, dueAt: dueAt, priority: priority)
            )
        }
        return jobs
    }

    /// Marks a job done. Returns false when the lease was lost (the job was rescued and given to another worker).
    @discardableResult
    public func complete(jobID: Int64, workerID: String) async throws -> Bool {
        try await complete(jobIDs: [jobID], workerID: workerID) == [jobID]
    }

    /// Marks many jobs done in one round trip; returns those whose lease was still held.
    ///
    /// The commit does not wait for its WAL to reach the disk (`synchronous_commit` off for this
    /// statement only): a completion lost in a database crash leaves the job running under an
    /// expired lease, so it is rescued and run again, which at-least-once delivery allows and
    /// idempotent handlers absorb. A clean shutdown or restart loses nothing.
    @discardableResult
    public func complete(jobIDs: [Int64], workerID: String) async throws -> [Int64] {
        let rows = try await client.query(
            """
            UPDATE queue.jobs SET state = 2, finished_at = now(), locked_by = NULL, locked_until = NULL
            WHERE id = ANY(\(jobIDs)) AND state = 1 AND locked_by = \(workerID)
              AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
            RETURNING id
            """,
            logger: logger
        )
        var done: [Int64] = []
        for try await id in rows.decode(Int64.self) { done.append(id) }
        return done
    }

    /// Records a failed attempt: the job is due again after `retryIn`, or discarded when it has no attempt left
    /// or fails `permanently`.
    /// Returns the state the job is left in, or `nil` when the lease was lost.
    @discardableResult
    public func fail(jobID: Int64, workerID: String, error: String, retryIn: Duration, permanently: Bool = false) async throws -> JobState? {
        let entry = JobErrorEntry(at: Date(), message: String(error.prefix(2_000)))
        let rows = try await client.query(
            """
            UPDATE queue.jobs SET
                state = CASE WHEN attempts >= max_attempts OR \(permanently) THEN 3 ELSE 0 END,
                run_at = CASE WHEN attempts >= max_attempts OR \(permanently) THEN run_at ELSE now() + make_interval(secs => \(retryIn.seconds)) END,
                finished_at = CASE WHEN attempts >= max_attempts OR \(permanently) THEN now() END,
                locked_by = NULL, locked_until = NULL,
                errors = errors || jsonb_build_array(jsonb_build_object('at', \(entry.at), 'attempt', attempts, 'error', \(entry.message)::text))
            WHERE id = \(jobID) AND state = 1 AND locked_by = \(workerID)
            RETURNING state
            """,
            logger: logger
        )
        for try await state in rows.decode(Int16.self) { return JobState(rawValue: state) }
        return nil
    }

    /// Gives a running job back to the queue without spending its attempt (its worker is stopping).
    @discardableResult
    public func release(jobID: Int64, workerID: String) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE queue.jobs SET state = 0, attempts = greatest(attempts - 1, 0), run_at = now(), locked_by = NULL, locked_until = NULL
            WHERE id = \(jobID) AND state = 1 AND locked_by = \(workerID)
            RETURNING id
            """,
            logger: logger
        )
        let released = try await rows.decode(Int64.self).reduce(0) { count, _ in count + 1 } == 1
        if released { try await announce("*") }
        return released
    }

    /// Gives back every job leased to `workerID`, each attempt counted as spent. Returns how many.
    @discardableResult
    public func releaseAll(workerID: String) async throws -> Int {
        let rows = try await client.query(
            """
            UPDATE queue.jobs SET state = CASE WHEN attempts >= max_attempts THEN 3 ELSE 0 END, run_at = now(),
                finished_at = CASE WHEN attempts >= max_attempts THEN now() END, locked_by = NULL, locked_until = NULL,
                errors = errors || jsonb_build_array(jsonb_build_object('at', now(), 'attempt', attempts, 'error', 'worker restarted'))
            WHERE state = 1 AND locked_by = \(workerID)
            RETURNING id
            """,
            logger: logger
        )
        return try await rows.decode(Int64.self).reduce(0) { count, _ in count + 1 }
    }

    /// Extends the leases of the jobs `workerID` holds. Only the jobs it knows it holds: a claim
    /// whose answer was lost with a connection must not be kept alive, so that it is rescued.
    /// Returns how many leases were extended.
    @discardableResult
    public func heartbeat(workerID: String, jobIDs: [Int64], lease: Duration) async throws -> Int {
        guard !jobIDs.isEmpty else { return 0 }
        let rows = try await client.query(
            """
            UPDATE queue.jobs SET locked_until = now() + make_interval(secs => \(lease.seconds))
            WHERE id = ANY(\(jobIDs)) AND state = 1 AND locked_by = \(workerID)
            RETURNING id
            """,
            logger: logger
        )
        return try await rows.decode(Int64.self).reduce(0) { count, _ in count + 1 }
    }

    /// Gives back the jobs whose lease expired (their worker died or hung): due again at once, or
    /// discarded when that was their last attempt. Returns the ids given back.
    @discardableResult
    public func rescueExpired() async throws -> [Int64] {
        let rows = try await client.query(
            """
            WITH expired AS (
                SELECT id FROM queue.jobs
                WHERE state = 1 AND locked_until < now()
                FOR UPDATE SKIP LOCKED
            )
            UPDATE queue.jobs AS j SET
                state = CASE WHEN j.attempts >= j.max_attempts THEN 3 ELSE 0 END,
                run_at = now(),
                finished_at = CASE WHEN j.attempts >= j.max_attempts THEN now() END,
                errors = j.errors || jsonb_build_array(jsonb_build_object(
                    'at', now(), 'attempt', j.attempts, 'error', 'lease expired on worker ' || coalesce(j.locked_by, '?'))),
                locked_by = NULL, locked_until = NULL
            FROM expired WHERE j.id = expired.id
            RETURNING j.id
            """,
            logger: logger
        )
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        if !ids.isEmpty {
            try await announce("*")
            logger.warning("rescued jobs whose lease expired", metadata: ["jobs": "\(ids.count)"])
        }
        return ids
    }

    /// When the next pending job of `queue` is due, if any.
    public func nextDue(queue: String) async throws -> Date? {
        let rows = try await client.query(
            "SELECT min(run_at) FROM queue.jobs WHERE state = 0 AND queue = \(queue)",
            logger: logger
        )
        for try await due in rows.decode(Date?.self) { return due }
        return nil
    }

    /// Pending and running jobs per queue and state, for metrics and operators.
    public func depth() async throws -> [QueueDepth] {
        let rows = try await client.query(
            "SELECT queue, state, count(*) FROM queue.jobs WHERE state IN (0, 1) GROUP BY queue, state ORDER BY queue, state",
            logger: logger
        )
        var result: [QueueDepth] = []
        for try await (queue, state, count) in rows.decode((String, Int16, Int64).self) {
            result.append(QueueDepth(queue: queue, state: JobState(rawValue: state) ?? .pending, count: Int(count)))
        }
        return result
    }
}

/// How many jobs of a queue are in a state.
public struct QueueDepth: Sendable, Equatable {
    public let queue: String
    public let state: JobState
    public let count: Int

    public init(queue: String, state: JobState, count: Int) {
        self.queue = queue
        self.state = state
        self.count = count
    }
}

struct JobErrorEntry {
    let at: Date
    let message: String
}
