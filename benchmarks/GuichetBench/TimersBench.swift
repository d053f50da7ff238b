import ArgumentParser
import Foundation
import Logging
import PostgresNIO

/// SLA timers through the cluster: tickets opened over one minute on a service whose resolution
/// target is a few minutes round the clock, so that all their warning and breach deadlines fall
/// within the same minute. Reports how late each fired (the clock's recorded time against its
/// deadline) and checks that each fired exactly once.
struct TimersBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "timers", abstract: "Benchmark SLA timer precision through the cluster.")

    @Option(name: .customLong("base-url"), help: "The load balancer, http://host:port.") var baseURL: String
    @Option(name: .customLong("database-url"), help: "The cluster's database.") var databaseURL: String
    @Option(help: "The demo accounts file written by guichet demo.") var demo: String
    @Option(help: "Tickets, hence breach timers (and as many warnings).") var tickets = 1_000
    @Option(help: "Seconds over which the tickets are opened: the window their deadlines fall in.") var window = 60.0
    @Option(name: .customLong("target-minutes"), help: "The resolution target of the benchmark's SLA policy.") var targetMinutes = 2

    static let service = "bench-sla"

    func run() async throws {
        guard let url = URLComponents(string: baseURL), let host = url.host, let port = url.port else {
            throw ValidationError("the base URL is http://host:port")
        }
        let tokens = try TicketsBench.requesterTokens(demo)
        let bench = self
        try await withBenchDatabase(databaseURL, connections: 4) { client, logger in
            try await bench.installPolicy(client, logger: logger)
            let load = TicketLoad(host: host, port: port, tokens: tokens, connections: 16, services: [Self.service], client: client, logger: logger, postmaster: nil)
            let record = PhaseRecord()
            progress("opening \(bench.tickets) tickets over \(Int(bench.window)) s; their timers fall due \(bench.targetMinutes) minutes later")
            try await load.open(total: bench.tickets, rate: Double(bench.tickets) / bench.window, start: .now, into: record)
            let ids = record.ids
            let fired = try await bench.waitForBreaches(of: ids, client: client, logger: logger)
            let result = try await bench.lateness(of: ids, client: client, logger: logger)
            progress(
                String(
                    format: "%d tickets, %d breaches recorded, breach lateness p99 %.1f ms", ids.count, fired,
                    (result["breach_lateness_ms"] as? [String: Double])?["p99"] ?? -1
                )
            )
            try printJSON(result.merging(["tickets": ids.count, "window_s": bench.window, "target_minutes": bench.targetMinutes]) { a, _ in a })
        }
    }

    /// A service of its own, with a short resolution target on the round-the-clock calendar.
    func installPolicy(_ client: PostgresClient, logger: Logger) async throws {
        try await client.query(
            """
            INSERT INTO services (code, family, name, subcategory, in_perimeter)
            VALUES (\(Self.service), 'software', 'Banc d''essai des minuteries SLA', 'Banc d''essai', true)
            ON CONFLICT (code) DO NOTHING
            """,
            logger: logger
        )
        try await client.query(
            """
            INSERT INTO sla_policies (service_id, priority, calendar_id, time_to_own_minutes, time_to_resolve_minutes)
            SELECT s.id, p, c.id, 600, \(targetMinutes) FROM services s, calendars c, generate_series(1, 4) AS p
            WHERE s.code = \(Self.service) AND c.code = '24x7'
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }

    /// Waits until every ticket's resolution clock recorded its breach, or two targets have passed.
    func waitForBreaches(of ids: [Int64], client: PostgresClient, logger: Logger) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(Double(targetMinutes) * 120 + 30)
        var fired = 0
        while ContinuousClock.now < deadline {
            let rows = try await client.query(
                "SELECT count(*) FROM ticket_sla_clocks WHERE ticket_id = ANY(\(ids)) AND metric = 'ttr' AND breached_at IS NOT NULL",
                logger: logger
            )
            for try await count in rows.decode(Int64.self) { fired = Int(count) }
            if fired >= ids.count { break }
            try await Task.sleep(for: .seconds(1))
        }
        return fired
    }

    /// How late warnings and breaches were recorded against their deadlines, and how many history
    /// entries each produced (one per ticket and level, whatever the retries).
    func lateness(of ids: [Int64], client: PostgresClient, logger: Logger) async throws -> [String: Any] {
        var warnings = Latencies()
        var breaches = Latencies()
        var firstDue: Date?
        var lastDue: Date?
        let clocks = try await client.query(
            """
            SELECT extract(epoch FROM warned_at - (started_at + make_interval(secs => target_seconds * 0.75)))::float8,
                   extract(epoch FROM breached_at - (started_at + make_interval(secs => target_seconds)))::float8,
                   started_at + make_interval(secs => target_seconds)
            FROM ticket_sla_clocks WHERE ticket_id = ANY(\(ids)) AND metric = 'ttr'
            """,
            logger: logger
        )
        for try await (warned, breached, due) in clocks.decode((Double?, Double?, Date).self) {
            if let warned { warnings.record(seconds: warned) }
            if let breached { breaches.record(seconds: breached) }
            firstDue = min(firstDue ?? due, due)
            lastDue = max(lastDue ?? due, due)
        }
        var entries: [String: Int] = [:]
        let events = try await client.query(
            """
            SELECT kind, count(*), count(DISTINCT ticket_id) FROM ticket_events
            WHERE ticket_id = ANY(\(ids)) AND kind IN ('sla_warning', 'sla_breached') AND changes ? 'sla_ttr'
            GROUP BY kind
            """,
            logger: logger
        )
        for try await (kind, count, distinct) in events.decode((String, Int64, Int64).self) {
            entries[kind] = Int(count)
            entries[kind + "_tickets"] = Int(distinct)
        }
        return [
            "warnings_fired": Int(warnings.count), "breaches_fired": Int(breaches.count), "history_entries": entries,
            "warning_lateness_ms": warnings.summary, "breach_lateness_ms": breaches.summary,
            "breach_deadlines_span_s": (lastDue ?? .now).timeIntervalSince(firstDue ?? .now),
        ]
    }
}
