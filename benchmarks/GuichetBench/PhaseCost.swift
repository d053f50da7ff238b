import Foundation
import Logging
import PostgresNIO

/// What a phase of tickets cost the cluster: CPU time by kind of process (from /proc), PostgreSQL's
/// statements (pg_stat_statements, when the server preloads it) and transactions (pg_stat_database),
/// and how long each notification waited between its writing and its sending.
struct PhaseCost: Sendable {
    let client: PostgresClient
    let logger: Logger
    let postmaster: Int?
    private let cpu: ProcessCPU
    private let transactions: Int64

    /// Starts counting: the statement counters are reset, CPU and transactions read.
    static func start(client: PostgresClient, logger: Logger, postmaster: Int?) async throws -> PhaseCost {
        if try await statementsAreCounted(client: client, logger: logger) {
            try await client.query("SELECT pg_stat_statements_reset()", logger: logger)
        }
        return PhaseCost(
            client: client, logger: logger, postmaster: postmaster, cpu: ProcessCPU.now(postmaster: postmaster),
            transactions: try await transactionCount(client: client, logger: logger)
        )
    }

    /// The cost of `tickets` created since `start`, once their notifications were sent (or `limit` passed).
    func finish(tickets ids: [Int64], waitingUpTo limit: Duration) async throws -> [String: Any] {
        let notifications = try await notificationDelays(of: ids, waitingUpTo: limit)
        // the statistics collector publishes a backend's counts when its transaction ends, within a second
        try await Task.sleep(for: .seconds(1))
        let spent = ProcessCPU.now(postmaster: postmaster).since(cpu)
        let count = Double(max(ids.count, 1))
        var perTicket: [String: Double] = [:]
        for (kind, seconds) in spent { perTicket[kind] = (seconds * 1000 / count * 100).rounded() / 100 }
        let guichet = ["API nodes", "workers", "PostgreSQL"].reduce(0) { $0 + (spent[$1] ?? 0) }
        var cost: [String: Any] = [
            "cpu_s": spent, "cpu_ms_per_ticket": perTicket, "guichet_cpu_ms_per_ticket": (guichet * 1000 / count * 100).rounded() / 100,
            "transactions_per_ticket": Double(try await Self.transactionCount(client: client, logger: logger) - transactions) / count,
            "notification_ms": notifications.latency, "notifications_unsent": notifications.unsent,
        ]
        if try await Self.statementsAreCounted(client: client, logger: logger) {
            let (calls, top) = try await statements()
            cost["statements_per_ticket"] = Double(calls) / count
            cost["top_statements"] = top
        }
        return cost
    }

    /// Seconds from each notification's writing to its sending, for the notifications of `ids`.
    private func notificationDelays(of ids: [Int64], waitingUpTo limit: Duration) async throws -> (latency: [String: Double], unsent: Int) {
        let deadline = ContinuousClock.now + limit
        var unsent = Int.max
        while ContinuousClock.now < deadline {
            let rows = try await client.query(
                "SELECT count(*) FROM notifications WHERE ticket_id = ANY(\(ids)) AND sent_at IS NULL AND failed_at IS NULL", logger: logger
            )
            for try await count in rows.decode(Int64.self) { unsent = Int(count) }
            if unsent == 0 { break }
            try await Task.sleep(for: .seconds(1))
        }
        var latency = Latencies()
        let rows = try await client.query(
            "SELECT extract(epoch FROM sent_at - created_at)::float8 FROM notifications WHERE ticket_id = ANY(\(ids)) AND sent_at IS NOT NULL",
            logger: logger
        )
        for try await seconds in rows.decode(Double.self) { latency.record(seconds: seconds) }
        return (latency.summary, unsent)
    }

    /// Every statement's calls since the reset, and the ten that took the most time, planning
    /// (with `pg_stat_statements.track_planning` on) and execution together.
    private func statements() async throws -> (Int64, [[String: Any]]) {
        let database = "(SELECT oid FROM pg_database WHERE datname = current_database())"
        var calls: Int64 = 0
        let total = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements WHERE dbid = \(database)"), logger: logger
        )
        for try await sum in total.decode(Int64.self) { calls = sum }
        var top: [[String: Any]] = []
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160), calls, total_plan_time, total_exec_time
                    FROM pg_stat_statements WHERE dbid = \(database) ORDER BY total_plan_time + total_exec_time DESC LIMIT 10
                    """
            ),
            logger: logger
        )
        for try await (query, count, planMs, execMs) in rows.decode((String, Int64, Double, Double).self) {
            let total = planMs + execMs
            top.append([
                "query": query, "calls": count, "total_ms": (total * 10).rounded() / 10, "plan_ms": (planMs * 10).rounded() / 10,
                "mean_ms": (total / Double(max(count, 1)) * 1000).rounded() / 1000,
            ])
        }
        return (calls, top)
    }

    private static func statementsAreCounted(client: PostgresClient, logger: Logger) async throws -> Bool {
        let rows = try await client.query("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'", logger: logger)
        for try await count in rows.decode(Int64.self) { return count > 0 }
        return false
    }

    private static func transactionCount(client: PostgresClient, logger: Logger) async throws -> Int64 {
        let rows = try await client.query(
            "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database WHERE datname = current_database()", logger: logger
        )
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }
}
