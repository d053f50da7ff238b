import Foundation
import Logging
import PostgresNIO

/// What an operator sees of one queue.
public struct QueueStats: Sendable, Equatable {
    public var queue: String
    /// Pending jobs that are due now.
    public var due: Int
    /// Pending jobs waiting for their `run_at` (scheduled, or backing off after a failure).
    public var scheduled: Int
    public var running: Int
    public var completed: Int
    public var discarded: Int
    public var cancelled: Int
    /// How long the oldest due job has waited, in seconds.
    public var oldestDueSeconds: Double?
    /// Pickup latency (due -> started) of the jobs started in the last five minutes, in milliseconds.
    public var pickupP50Milliseconds: Double?
    public var pickupP99Milliseconds: Double?
}

extension JobQueue {
    public func stats() async throws -> [QueueStats] {
        let rows = try await client.query(
            """
            SELECT queue,
                   count(*) FILTER (WHERE state = 0 AND run_at <= now()),
                   count(*) FILTER (WHERE state = 0 AND run_at > now()),
                   count(*) FILTER (WHERE state = 1),
                   count(*) FILTER (WHERE state = 2),
                   count(*) FILTER (WHERE state = 3),
                   count(*) FILTER (WHERE state = 4),
                   extract(epoch FROM now() - min(run_at) FILTER (WHERE state = 0 AND run_at <= now()))::float8,
                   (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - run_at))
                       FILTER (WHERE started_at > now() - interval '5 minutes' AND started_at >= run_at) * 1000)::float8,
                   (percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - run_at))
                       FILTER (WHERE started_at > now() - interval '5 minutes' AND started_at >= run_at) * 1000)::float8
            FROM queue.jobs GROUP BY queue ORDER BY queue
            """,
            logger: logger
        )
        var stats: [QueueStats] = []
        for try await (queue, due, scheduled, running, completed, discarded, cancelled, oldest, p50, p99) in rows.decode(
            (String, Int64, Int64, Int64, Int64, Int64, Int64, Double?, Double?, Double?).self
        ) {
            stats.append(
                QueueStats(
                    queue: queue, due: Int(due), scheduled: Int(scheduled), running: Int(running), completed: Int(completed),
                    discarded: Int(discarded), cancelled: Int(cancelled), oldestDueSeconds: oldest, pickupP50Milliseconds: p50,
                    pickupP99Milliseconds: p99
                )
            )
        }
        return stats
    }

    /// Makes a discarded, cancelled or backing-off job due now, granting it one more attempt if it
    /// had none left. Returns the ids made due.
    @discardableResult
    public func retry(jobID: Int64? = nil, kind: String? = nil) async throws -> [Int64] {
        try await ids(
            """
            UPDATE queue.jobs SET state = 0, run_at = now(), finished_at = NULL, max_attempts = greatest(max_attempts, attempts + 1)
            WHERE (\(jobID)::bigint IS NULL OR id = \(jobID)) AND (\(kind)::text IS NULL OR kind = \(kind))
              AND (state IN (3, 4) OR (state = 0 AND attempts > 0))
            RETURNING id
            """,
            notify: true
        )
    }

    /// Gives up on a pending job, keeping it with the operator's reason.
    @discardableResult
    public func discard(jobID: Int64, reason: String = "discarded by an operator") async throws -> Bool {
        try await !ids(
            """
            UPDATE queue.jobs SET state = 3, finished_at = now(),
                errors = errors || jsonb_build_array(jsonb_build_object('at', now(), 'attempt', attempts, 'error', \(reason)::text))
            WHERE id = \(jobID) AND state = 0 RETURNING id
            """
        ).isEmpty
    }

    /// Cancels a pending job (a timer that no longer applies, a mail no longer wanted).
    @discardableResult
    public func cancel(jobID: Int64) async throws -> Bool {
        try await !ids("UPDATE queue.jobs SET state = 4, finished_at = now() WHERE id = \(jobID) AND state = 0 RETURNING id").isEmpty
    }

    /// Cancels the pending job holding `uniqueKey`, if any.
    @discardableResult
    public static func cancel(uniqueKey: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "UPDATE queue.jobs SET state = 4, finished_at = now() WHERE unique_key = \(uniqueKey) AND state = 0 RETURNING id",
            logger: logger
        )
        return try await rows.decode(Int64.self).reduce(0) { count, _ in count + 1 } > 0
    }

    /// Deletes finished jobs older than their retention, `limit` at a time so that pruning never
    /// holds long locks. Returns how many rows went.
    @discardableResult
    public func prune(completedOlderThan completed: Duration, discardedOlderThan discarded: Duration, limit: Int = 10_000) async throws -> Int {
        let rows = try await client.query(
            """
            WITH old AS (
                SELECT id FROM queue.jobs
                WHERE (state IN (2, 4) AND finished_at < now() - make_interval(secs => \(completed.seconds)))
                   OR (state = 3 AND finished_at < now() - make_interval(secs => \(discarded.seconds)))
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            DELETE FROM queue.jobs j USING old WHERE j.id = old.id RETURNING j.id
            """,
            logger: logger
        )
        return try await rows.decode(Int64.self).reduce(0) { count, _ in count + 1 }
    }

    private func ids(_ query: PostgresQuery, notify: Bool = false) async throws -> [Int64] {
        let rows = try await client.query(query, logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        if notify && !ids.isEmpty { try await announce("*") }
        return ids
    }
}
