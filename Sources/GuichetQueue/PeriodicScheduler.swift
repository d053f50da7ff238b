import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// A job enqueued on a schedule.
public struct PeriodicJob: Sendable {
    /// Names the job across the cluster; one run per name and scheduled instant.
    public var name: String
    public var schedule: Schedule
    public var job: NewJob

    public init(name: String, schedule: Schedule, job: NewJob) {
        self.name = name
        self.schedule = schedule
        self.job = job
    }
}

/// Enqueues periodic jobs once per period for the whole cluster. Every worker runs one; the one that
/// holds the `periodic` leadership lease enqueues, the others stand by and take over within a lease
/// when the leader dies. Each period is recorded in `queue.periodic_runs` in the same transaction
/// as its job, so a change of leader never runs a period twice nor skips the current one.
public struct PeriodicScheduler: Service {
    static let role = "periodic"

    let queue: JobQueue
    let jobs: [PeriodicJob]
    let holder: String
    let lease: Duration
    let tick: Duration
    let logger: Logger

    public init(queue: JobQueue, jobs: [PeriodicJob], holder: String, lease: Duration = .seconds(10), tick: Duration = .seconds(1), logger: Logger) {
        self.queue = queue
        self.jobs = jobs
        self.holder = holder
        self.lease = lease
        self.tick = tick
        self.logger = logger
    }

    public func run() async throws {
        var leading = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Every call has a deadline: a query left hanging by a database restart would otherwise
            // keep this service, and the worker's shutdown, waiting for ever.
            do {
                let (queue, holder, lease) = (self.queue, self.holder, self.lease)
                let leader = try await withDeadline(lease / 2, "claiming the periodic leadership") {
                    try await queue.claimLeadership(role: Self.role, holder: holder, lease: lease)
                }
                if leader != leading {
                    logger.info(leader ? "periodic scheduler: leading" : "periodic scheduler: standing by", metadata: ["holder": "\(holder)"])
                    leading = leader
                }
                if leader { try await withDeadline(lease / 2, "enqueuing periodic jobs") { try await self.enqueueDue(now: Date()) } }
            } catch {
                if Task.isCancelled { break }
                logger.warning("periodic scheduling failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: tick)
        }
        if leading {
            let (queue, holder) = (self.queue, self.holder)
            _ = try? await withDeadline(.seconds(2), "resigning the periodic leadership") {
                try await queue.resignLeadership(role: Self.role, holder: holder)
            }
        }
    }

    /// Enqueues the current period of every job that has not had it yet.
    func enqueueDue(now: Date) async throws {
        for periodic in jobs {
            guard let instant = periodic.schedule.latest(atOrBefore: now) else { continue }
            var job = periodic.job
            job.runAt = instant
            job.uniqueKey = "periodic:\(periodic.name)"
            let enqueued = try await queue.enqueuePeriod(name: periodic.name, scheduledAt: instant, job: job)
            if enqueued { logger.debug("periodic job enqueued", metadata: ["name": "\(periodic.name)", "at": "\(instant)"]) }
        }
    }
}

extension JobQueue {
    /// Takes or renews the lease of `role`; returns whether `holder` leads now.
    public func claimLeadership(role: String, holder: String, lease: Duration) async throws -> Bool {
        let rows = try await client.query(
            """
            INSERT INTO queue.leaders (role, holder, expires_at) VALUES (\(role), \(holder), now() + make_interval(secs => \(lease.seconds)))
            ON CONFLICT (role) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE queue.leaders.holder = excluded.holder OR queue.leaders.expires_at < now()
            RETURNING holder
            """,
            logger: logger
        )
        for try await current in rows.decode(String.self) { return current == holder }
        return false
    }

    /// Lets another node lead at once (on shutdown).
    public func resignLeadership(role: String, holder: String) async throws {
        try await client.query("DELETE FROM queue.leaders WHERE role = \(role) AND holder = \(holder)", logger: logger)
    }

    /// Records the period and enqueues its job in one transaction; false if the period was done already.
    func enqueuePeriod(name: String, scheduledAt: Date, job: NewJob) async throws -> Bool {
        let enqueued = try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO queue.periodic_runs (name, scheduled_at) VALUES (\(name), \(scheduledAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """,
                logger: logger
            )
            var fresh = false
            for try await _ in rows { fresh = true }
            if fresh, let id = try await Self.enqueue(job, on: connection, logger: logger) {
                try await connection.query(
                    "UPDATE queue.periodic_runs SET job_id = \(id) WHERE name = \(name) AND scheduled_at = \(scheduledAt)",
                    logger: logger
                )
            }
            return fresh
        }
        if enqueued { try await announce(job.queue) }
        return enqueued
    }
}
