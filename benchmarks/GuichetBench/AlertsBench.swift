import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization

/// A regional outage through the cluster: every network device of `establishments` establishments
/// of the demo fleet down at once, sent as Alertmanager sends it (one group per establishment,
/// repeated every `repeat` seconds, 5 % of the notifications sent twice), then all recovered;
/// meanwhile a requester opens tickets at `ticket-rate` a second.
struct AlertsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alerts", abstract: "Benchmark the supervision: an outage's alerts, then its recovery.")

    @Option(name: .customLong("base-url"), help: "The load balancer.") var baseURL: String
    @Option(name: .customLong("database-url")) var databaseURL: String
    @Option(help: "The demo accounts file written by guichet demo.") var demo: String
    @Option(help: "Establishments whose whole network goes down (0: every one).") var establishments = 60
    @Option(help: "Seconds between Alertmanager's repeats of a firing group.") var `repeat` = 10.0
    @Option(help: "Repeats of the firing groups before the recovery.") var rounds = 2
    @Option(name: .customLong("ticket-rate"), help: "Tickets opened by people each second meanwhile.") var ticketRate = 20.0
    @Option(help: "Connections sending the notifications.") var connections = 4
    @Option(name: .customLong("postmaster-pid"), help: "The PostgreSQL server's pid, whose processes' CPU is counted.") var postmasterPID: Int?

    struct DemoFile: Decodable {
        struct Account: Decodable {
            let role: String
            let apiToken: String
        }
        let accounts: [Account]
    }

    struct Outage {
        var establishment: Int64
        var payload: ByteBuffer
        var resolved: ByteBuffer
        var devices: Int
    }

    func run() async throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let accounts = try decoder.decode(DemoFile.self, from: Data(contentsOf: URL(fileURLWithPath: demo))).accounts
        guard let monitoring = accounts.first(where: { $0.role == "monitoring" })?.apiToken,
            let requester = accounts.first(where: { $0.role == "requester" })?.apiToken
        else { throw ValidationError("the demo file has no monitoring or requester account") }
        guard let url = URL(string: baseURL), let host = url.host, let port = url.port else { throw ValidationError("bad --base-url") }

        try await withBenchDatabase(databaseURL, connections: 2) { client, logger in
            // the import's follow-up jobs (the search's trigram counts) finish before the outage starts
            try await Self.waitIdle(client, logger: logger)
            let started = Date()
            let outages = try await Self.outages(client, establishments: establishments, startsAt: started, logger: logger)
            let devices = outages.map(\.devices).reduce(0, +)
            progress("\(devices) network devices down in \(outages.count) establishments")
            let cost = try await PhaseCost.start(client: client, logger: logger, postmaster: postmasterPID)
            let stop = StopFlag()
            async let people = Self.openTickets(host: host, port: port, token: requester, rate: ticketRate, until: stop)
            async let incidents = Self.watch(client, establishments: outages.map(\.establishment), since: started, logger: logger, until: stop)

            // the outage: every group, each 20th twice, then Alertmanager's repeats
            var firstSent: [Int64: Date] = [:]
            var intake = Latencies()
            var notifications = 0
            for round in 0...rounds {
                let roundStart = ContinuousClock.now
                let (sent, latencies) = try await Self.send(outages.map { ($0.establishment, $0.payload) }, duplicateEvery: 20, host: host, port: port, token: monitoring, connections: connections)
                intake.merge(latencies)
                notifications += Int(latencies.count)
                for (establishment, at) in sent where firstSent[establishment] == nil { firstSent[establishment] = at }
                progress("round \(round): \(latencies.count) notifications sent")
                if round < rounds { try await Task.sleep(until: roundStart + .seconds(`repeat`)) }
            }
            try await Self.waitProcessed(client, logger: logger)
            // the recovery
            let recoverySent = Date()
            let (resolvedAt, recoveryLatencies) = try await Self.send(outages.map { ($0.establishment, $0.resolved) }, duplicateEvery: 20, host: host, port: port, token: monitoring, connections: connections)
            intake.merge(recoveryLatencies)
            notifications += Int(recoveryLatencies.count)
            let resolved = try await Self.waitResolved(client, count: outages.count, since: started, logger: logger)
            stop.set()
            let (ticketLatencies, ticketErrors) = try await people
            let opened = try await incidents
            try await Self.waitProcessed(client, logger: logger)
            let spent = try await cost.finish(tickets: try await Self.incidentIDs(client, since: started, logger: logger), waitingUpTo: .seconds(30))

            var toIncident = Latencies()
            for (establishment, created) in opened { if let sent = firstSent[establishment] { toIncident.record(seconds: max(0, created.timeIntervalSince(sent))) } }
            var toResolved = Latencies()
            for (establishment, at) in resolved { toResolved.record(seconds: max(0, at.timeIntervalSince(resolvedAt[establishment] ?? recoverySent))) }
            let counts = try await Self.counts(client, since: started, logger: logger)
            try printJSON([
                "establishments": outages.count, "devices": devices, "notifications": notifications, "rounds": rounds + 1,
                "incidents": counts.incidents, "establishments_with_one_incident": counts.single,
                "alerts": counts.alerts, "alerts_without_incident": counts.orphans, "unprocessed_notifications": counts.unprocessed,
                "alert_events": counts.events, "resolved_incidents": resolved.count,
                "intake_ms": intake.summary, "first_alert_to_incident_ms": toIncident.summary, "recovery_to_resolved_ms": toResolved.summary,
                "tickets_create_ms": ticketLatencies.summary, "tickets_opened": Int(ticketLatencies.count), "ticket_errors": ticketErrors,
                "cpu_s": spent["cpu_s"] ?? [:], "top_statements": spent["top_statements"] ?? [],
            ])
        }
    }

    /// The network devices of the first `establishments` establishments that have some, as one
    /// Alertmanager group each, firing and resolved.
    static func outages(_ client: PostgresClient, establishments: Int, startsAt: Date, logger: Logger) async throws -> [Outage] {
        var devices: [Int64: [String]] = [:]
        let classes = ["router", "core_switch", "access_switch", "firewall", "wifi_controller", "access_point"]
        let rows = try await client.query(
            """
            WITH chosen AS (
                SELECT establishment_id FROM cis WHERE class = ANY(\(classes)::text[]) AND establishment_id IS NOT NULL
                GROUP BY establishment_id ORDER BY establishment_id LIMIT \(establishments == 0 ? Int.max : establishments)
            )
            SELECT c.establishment_id, c.name FROM cis c JOIN chosen USING (establishment_id)
            WHERE c.class = ANY(\(classes)::text[]) AND c.status <> 'retired' ORDER BY c.establishment_id, c.name
            """,
            logger: logger
        )
        for try await (establishment, name) in rows.decode((Int64, String).self) { devices[establishment, default: []].append(name) }
        let start = startsAt.formatted(.iso8601)
        return devices.keys.sorted().map { establishment in
            let names = devices[establishment] ?? []
            func group(_ status: String, ends: String) -> ByteBuffer {
                let alerts = names.map { name in
                    #"{"status":"\#(status)","labels":{"alertname":"NodeDown","instance":"\#(name)","establishment":"\#(establishment)","severity":"critical"},"#
                        + #""annotations":{"summary":"Injoignable"},"startsAt":"\#(start)","endsAt":"\#(ends)","generatorURL":"","fingerprint":"bench-\#(name)"}"#
                }
                return ByteBuffer(
                    string: #"{"version":"4","groupKey":"{}:{establishment=\"\#(establishment)\"}","status":"\#(status)","receiver":"guichet","#
                        + #""groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"","truncatedAlerts":0,"alerts":[\#(alerts.joined(separator: ","))]}"#
                )
            }
            return Outage(
                establishment: establishment, payload: group("firing", ends: "0001-01-01T00:00:00Z"),
                resolved: group("resolved", ends: Date().formatted(.iso8601)), devices: names.count
            )
        }
    }

    /// Sends the notifications over `connections` connections, each `duplicateEvery`th twice;
    /// returns when each establishment's first was taken, and the intake's latencies.
    static func send(
        _ notifications: [(Int64, ByteBuffer)], duplicateEvery: Int, host: String, port: Int, token: String, connections: Int
    ) async throws -> ([Int64: Date], Latencies) {
        var work: [(Int64, ByteBuffer)] = []
        for (index, notification) in notifications.enumerated() {
            work.append(notification)
            if index % duplicateEvery == duplicateEvery - 1 { work.append(notification) }
        }
        let shares = (0..<connections).map { lane in stride(from: lane, to: work.count, by: connections).map { work[$0] } }
        return try await withThrowingTaskGroup(of: ([Int64: Date], Latencies).self) { group in
            for share in shares {
                group.addTask {
                    try await HTTPConnection(host: host, port: port).run { send in
                        var sent: [Int64: Date] = [:]
                        var latencies = Latencies()
                        for (establishment, body) in share {
                            let at = Date()
                            let start = ContinuousClock.now
                            let response = try await send(
                                .POST, "/api/v1/alerts/alertmanager", [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")], body
                            )
                            guard response.status == 202 else { throw ValidationError("the intake answered \(response.status): \(String(buffer: response.body))") }
                            latencies.record(seconds: (ContinuousClock.now - start).seconds)
                            if sent[establishment] == nil { sent[establishment] = at }
                        }
                        return (sent, latencies)
                    }
                }
            }
            var sent: [Int64: Date] = [:]
            var latencies = Latencies()
            for try await (part, partLatencies) in group {
                sent.merge(part) { min($0, $1) }
                latencies.merge(partLatencies)
            }
            return (sent, latencies)
        }
    }

    /// Opens tickets at `rate` a second as a requester until `stop`; their create latencies and failures.
    static func openTickets(host: String, port: Int, token: String, rate: Double, until stop: StopFlag) async throws -> (Latencies, Int) {
        try await HTTPConnection(host: host, port: port).run { send in
            var latencies = Latencies()
            var errors = 0
            let start = ContinuousClock.now
            var index = 0
            while !stop.isSet {
                try await Task.sleep(until: start + .seconds(Double(index) / rate))
                let body = ByteBuffer(string: #"{"kind":"incident","title":"Vidéoprojecteur en panne, salle \#(index % 40)","service":"poste-travail"}"#)
                let sent = ContinuousClock.now
                let response = try await send(.POST, "/api/v1/tickets", [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")], body)
                if response.status == 201 { latencies.record(seconds: (ContinuousClock.now - sent).seconds) } else { errors += 1 }
                index += 1
            }
            return (latencies, errors)
        }
    }

    /// When each establishment's first monitoring incident appeared, polled every 20 ms.
    static func watch(_ client: PostgresClient, establishments: [Int64], since: Date, logger: Logger, until stop: StopFlag) async throws -> [Int64: Date] {
        var seen: [Int64: Date] = [:]
        while !stop.isSet && seen.count < establishments.count {
            let rows = try await client.query(
                "SELECT establishment_id, min(created_at) FROM tickets WHERE origin = 'monitoring' AND created_at >= \(since) GROUP BY establishment_id",
                logger: logger
            )
            for try await (establishment, created) in rows.decode((Int64, Date).self) { seen[establishment] = created }
            try await Task.sleep(for: .milliseconds(20))
        }
        return seen
    }

    /// The monitoring incidents opened since `since`.
    static func incidentIDs(_ client: PostgresClient, since: Date, logger: Logger) async throws -> [Int64] {
        let rows = try await client.query("SELECT id FROM tickets WHERE origin = 'monitoring' AND created_at >= \(since)", logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// Waits until no job is due or running (at most two minutes).
    static func waitIdle(_ client: PostgresClient, logger: Logger) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let rows = try await client.query("SELECT count(*)::bigint FROM queue.jobs WHERE state IN (0, 1) AND run_at <= now()", logger: logger)
            for try await left in rows.decode(Int64.self) where left == 0 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Waits until every notification received has been processed (at most two minutes).
    static func waitProcessed(_ client: PostgresClient, logger: Logger) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let rows = try await client.query("SELECT count(*)::bigint FROM alert_notifications WHERE processed_at IS NULL", logger: logger)
            for try await left in rows.decode(Int64.self) where left == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// When each establishment's monitoring incidents were resolved, once `count` are (at most two minutes).
    static func waitResolved(_ client: PostgresClient, count: Int, since: Date, logger: Logger) async throws -> [Int64: Date] {
        let deadline = ContinuousClock.now + .seconds(120)
        var resolved: [Int64: Date] = [:]
        while ContinuousClock.now < deadline {
            resolved = [:]
            let rows = try await client.query(
                """
                SELECT establishment_id, max(resolved_at) FROM tickets WHERE origin = 'monitoring' AND created_at >= \(since)
                GROUP BY establishment_id HAVING bool_and(status = 'resolved')
                """,
                logger: logger
            )
            for try await (establishment, at) in rows.decode((Int64, Date).self) { resolved[establishment] = at }
            if resolved.count >= count { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return resolved
    }

    static func counts(_ client: PostgresClient, since: Date, logger: Logger) async throws -> (incidents: Int, single: Int, alerts: Int, orphans: Int, unprocessed: Int, events: Int) {
        let rows = try await client.query(
            """
            SELECT (SELECT count(*) FROM tickets WHERE origin = 'monitoring' AND created_at >= \(since))::bigint,
                   (SELECT count(*) FROM (SELECT establishment_id FROM tickets WHERE origin = 'monitoring' AND created_at >= \(since)
                                          GROUP BY establishment_id HAVING count(*) = 1) one)::bigint,
                   (SELECT count(*) FROM alerts WHERE source = 'alertmanager')::bigint,
                   (SELECT count(*) FROM alerts WHERE source = 'alertmanager' AND ticket_id IS NULL)::bigint,
                   (SELECT count(*) FROM alert_notifications WHERE processed_at IS NULL)::bigint,
                   (SELECT count(*) FROM alert_events)::bigint
            """,
            logger: logger
        )
        for try await (incidents, single, alerts, orphans, unprocessed, events) in rows.decode((Int64, Int64, Int64, Int64, Int64, Int64).self) {
            return (Int(incidents), Int(single), Int(alerts), Int(orphans), Int(unprocessed), Int(events))
        }
        return (0, 0, 0, 0, 0, 0)
    }
}

/// A flag one task sets and others read.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
