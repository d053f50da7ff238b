import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization

/// End to end through the cluster: tickets opened by HTTP through HAProxy at fixed rates, each
/// auto-assigned by a worker. Reports the create latency seen by the client and the time from
/// create to `in_progress` (the ticket's `taken` history entry against its `created_at`, both
/// PostgreSQL's clock), what each ticket cost (`PhaseCost`), and samples the jobs table to show
/// that pruning keeps it bounded. Then a closed loop: each connection opens its next ticket as soon
/// as the previous one is answered, to find how many a second the cluster creates.
struct TicketsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tickets", abstract: "Benchmark ticket creation and dispatch through the cluster.")

    @Option(name: .customLong("base-url"), help: "The load balancer, http://host:port.") var baseURL: String
    @Option(name: .customLong("database-url"), help: "The cluster's database, read after each rate.") var databaseURL: String
    @Option(help: "The demo accounts file written by guichet demo.") var demo: String
    @Option var rates = "50,100,150,200,500"
    @Option(help: "Seconds per rate.") var duration = 20.0
    @Option(name: .customLong("sustained-rate"), help: "Rate of the sustained run that watches the jobs table, 0 for none.") var sustainedRate = 100.0
    @Option(name: .customLong("sustained-seconds")) var sustainedSeconds = 300.0
    @Option(name: .customLong("sample-seconds"), help: "How often the jobs table is measured.") var sampleSeconds = 10.0
    @Option(help: "Client connections (each carries one request at a time).") var connections = 64
    @Option(name: .customLong("closed-loop"), help: "Connections of each closed-loop run, e.g. 1,4 (none: empty).") var closedLoop = "1,4"
    @Option(name: .customLong("closed-seconds"), help: "Seconds per closed-loop run.") var closedSeconds = 30.0
    @Option(name: .customLong("postmaster-pid"), help: "The PostgreSQL server's pid, whose processes' CPU is counted.") var postmasterPID: Int?

    func run() async throws {
        let rates = try self.rates.split(separator: ",").map { text -> Double in
            guard let rate = Double(text), rate > 0 else { throw ValidationError("bad rate \(text)") }
            return rate
        }
        guard let url = URLComponents(string: baseURL), let host = url.host, let port = url.port else {
            throw ValidationError("the base URL is http://host:port")
        }
        let tokens = try Self.requesterTokens(demo)
        let bench = self
        try await withBenchDatabase(databaseURL, connections: 4) { client, logger in
            let load = TicketLoad(
                host: host, port: port, tokens: tokens, connections: bench.connections, services: TicketLoad.catalogue, client: client, logger: logger,
                postmaster: bench.postmasterPID
            )
            var phases: [[String: Any]] = []
            for rate in rates {
                phases.append(try await load.phase(rate: rate, duration: bench.duration, sampleEvery: bench.sampleSeconds))
            }
            var result: [String: Any] = ["rates": phases, "connections": bench.connections]
            if bench.sustainedRate > 0 {
                result["sustained"] = try await load.phase(rate: bench.sustainedRate, duration: bench.sustainedSeconds, sampleEvery: bench.sampleSeconds)
            }
            var closed: [[String: Any]] = []
            for text in bench.closedLoop.split(separator: ",") {
                guard let lanes = Int(text), lanes > 0 else { throw ValidationError("bad connection count \(text)") }
                closed.append(try await load.closedLoop(connections: lanes, duration: bench.closedSeconds))
            }
            result["closed_loop"] = closed
            try printJSON(result)
        }
    }

    /// The API tokens of the demo accounts that open tickets.
    static func requesterTokens(_ path: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let accounts = document?["accounts"] as? [[String: Any]] ?? []
        let tokens = accounts.filter { ["requester", "local_correspondent"].contains($0["role"] as? String) }.compactMap { $0["api_token"] as? String }
        guard !tokens.isEmpty else { throw ValidationError("\(path) names no requester account") }
        return tokens
    }
}

/// What the client saw of one rate, and the jobs table meanwhile.
final class PhaseRecord: Sendable {
    private struct State {
        var latency = Latencies()
        var ids: [Int64] = []
        var failures: [Int: Int] = [:]
        var samples: [JobsTableSample] = []
    }

    private let state = Mutex(State())

    func created(_ id: Int64, seconds: Double) {
        state.withLock {
            $0.ids.append(id)
            $0.latency.record(seconds: seconds)
        }
    }

    func failed(status: Int) { state.withLock { $0.failures[status, default: 0] += 1 } }

    func sampled(_ sample: JobsTableSample) { state.withLock { $0.samples.append(sample) } }

    var samples: [JobsTableSample] { state.withLock { $0.samples } }

    var ids: [Int64] { state.withLock { $0.ids } }
    var latency: [String: Double] { state.withLock { $0.latency.summary } }
    /// Failures by HTTP status, 0 for a connection error.
    var failures: [String: Int] { state.withLock { Dictionary(uniqueKeysWithValues: $0.failures.map { ("\($0.key)", $0.value) }) } }
}

struct TicketLoad: Sendable {
    let host: String
    let port: Int
    let tokens: [String]
    let connections: Int
    /// The services the tickets are opened on, in turn.
    let services: [String]
    let client: PostgresClient
    let logger: Logger
    let postmaster: Int?

    static let catalogue = ["poste-travail", "imprimante", "reseau", "serveur", "messagerie", "logiciel", "compte"]

    /// Opens `rate` tickets a second for `duration` seconds, open loop: each request has its due
    /// time, and its latency counts from then, so a slow server is not hidden by a client that waits.
    func phase(rate: Double, duration: Double, sampleEvery: Double) async throws -> [String: Any] {
        let total = Int(rate * duration)
        let outcomes = PhaseRecord()
        try await settle()
        let cost = try await PhaseCost.start(client: client, logger: logger, postmaster: postmaster)
        let started = ContinuousClock.now
        progress(String(format: "%.0f tickets/s for %.0f s", rate, duration))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    let sample = try await jobsTable(at: (ContinuousClock.now - started).seconds)
                    outcomes.sampled(sample)
                    try await Task.sleep(for: .seconds(sampleEvery))
                }
            }
            try await open(total: total, rate: rate, start: started, into: outcomes)
            group.cancelAll()
        }
        let sent = (ContinuousClock.now - started).seconds
        let ids = outcomes.ids
        let (assignment, unassigned) = try await assignmentTimes(of: ids, waitingUpTo: .seconds(60))
        let finalSize = try await jobsTable(at: (ContinuousClock.now - started).seconds)
        let samples = (outcomes.samples + [finalSize]).map(\.json)
        let create = outcomes.latency
        let spent = try await cost.finish(tickets: ids, waitingUpTo: .seconds(60))
        progress(
            String(
                format: "%.0f/s: %d created in %.1f s, create p99 %.1f ms, to in_progress p99 %.1f ms, %d not assigned, %.1f ms of CPU a ticket",
                rate, ids.count, sent, create["p99"] ?? -1, assignment["p99"] ?? -1, unassigned, spent["guichet_cpu_ms_per_ticket"] as? Double ?? -1
            )
        )
        return [
            "rate": rate, "duration_s": duration, "offered": total, "created": ids.count, "achieved_per_s": Double(ids.count) / sent,
            "failures": outcomes.failures, "create_ms": create, "to_in_progress_ms": assignment, "not_assigned": unassigned,
            "jobs_table": samples,
        ].merging(spent) { mine, _ in mine }
    }

    /// Closed loop: `connections` clients each open a ticket, wait for the answer, and open the next,
    /// for `duration` seconds. The rate is what the cluster sustains; its latency is the answer's.
    func closedLoop(connections lanes: Int, duration: Double) async throws -> [String: Any] {
        progress("closed loop: \(lanes) connection(s) for \(Int(duration)) s")
        let outcomes = PhaseRecord()
        try await settle()
        let cost = try await PhaseCost.start(client: client, logger: logger, postmaster: postmaster)
        let started = ContinuousClock.now
        let deadline = started + .seconds(duration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var index = 1_000_000 * (lane + 1)
                    while ContinuousClock.now < deadline {
                        do {
                            try await HTTPConnection(host: host, port: port).run { send in
                                while ContinuousClock.now < deadline {
                                    let sentAt = ContinuousClock.now
                                    let response = try await send(.POST, "/api/v1/tickets", headers(for: index), body(for: index))
                                    if response.status == 201, let id = Self.id(in: response.body) {
                                        outcomes.created(id, seconds: (ContinuousClock.now - sentAt).seconds)
                                    } else {
                                        outcomes.failed(status: response.status)
                                    }
                                    index += 1
                                }
                            }
                        } catch {
                            outcomes.failed(status: 0)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let ids = outcomes.ids
        let (assignment, unassigned) = try await assignmentTimes(of: ids, waitingUpTo: .seconds(60))
        let spent = try await cost.finish(tickets: ids, waitingUpTo: .seconds(60))
        let rate = Double(ids.count) / elapsed
        progress(String(format: "closed loop, %d connection(s): %.1f tickets/s, create p50 %.1f ms", lanes, rate, outcomes.latency["p50"] ?? -1))
        return [
            "connections": lanes, "duration_s": elapsed, "created": ids.count, "per_s": rate, "failures": outcomes.failures,
            "create_ms": outcomes.latency, "to_in_progress_ms": assignment, "not_assigned": unassigned,
        ].merging(spent) { mine, _ in mine }
    }

    /// Waits until the cluster has done what earlier phases left (no job due and not finished), so
    /// that each phase is measured, its CPU included, on its own.
    func settle(upTo limit: Duration = .seconds(300)) async throws {
        let deadline = ContinuousClock.now + limit
        var left: Int64 = 1
        while ContinuousClock.now < deadline {
            let rows = try await client.query("SELECT count(*) FROM queue.jobs WHERE state IN (0, 1) AND run_at <= now()", logger: logger)
            for try await count in rows.decode(Int64.self) { left = count }
            if left == 0 { return }
            try await Task.sleep(for: .seconds(1))
        }
        progress("\(left) jobs still due after \(limit): this phase starts behind them")
    }

    /// Opens `total` tickets at `rate` a second from `start`, over the client's connections.
    func open(total: Int, rate: Double, start: ContinuousClock.Instant, into outcomes: PhaseRecord) async throws {
        try await withThrowingTaskGroup(of: Void.self) { lanes in
            for lane in 0..<min(connections, total) {
                lanes.addTask { try await drive(lane: lane, total: total, rate: rate, start: start, outcomes: outcomes) }
            }
            try await lanes.waitForAll()
        }
    }

    /// One connection's share of the requests: numbers lane, lane + connections, ...
    private func drive(lane: Int, total: Int, rate: Double, start: ContinuousClock.Instant, outcomes: PhaseRecord) async throws {
        var index = lane
        while index < total {
            do {
                try await HTTPConnection(host: host, port: port).run { send in
                    while index < total {
                        let due = start + .seconds(Double(index) / rate)
                        if ContinuousClock.now < due { try await Task.sleep(until: due) }
                        let response = try await send(.POST, "/api/v1/tickets", headers(for: index), body(for: index))
                        let seconds = (ContinuousClock.now - due).seconds
                        if response.status == 201, let id = Self.id(in: response.body) {
                            outcomes.created(id, seconds: seconds)
                        } else {
                            outcomes.failed(status: response.status)
                        }
                        index += connections
                    }
                }
            } catch {
                // the connection dropped: count the request and go on with a new connection
                outcomes.failed(status: 0)
                index += connections
            }
        }
    }

    private func headers(for index: Int) -> [(String, String)] {
        [("Authorization", "Bearer \(tokens[index % tokens.count])"), ("Content-Type", "application/json")]
    }

    private func body(for index: Int) -> ByteBuffer {
        let service = services[index % services.count]
        let impact = 1 + index % 3
        let urgency = 1 + (index / 3) % 3
        return ByteBuffer(
            string: #"{"kind":"incident","title":"Panne n°\#(index) (banc d'essai)","service":"\#(service)","impact":\#(impact),"urgency":\#(urgency)}"#
        )
    }

    private static func id(in body: ByteBuffer) -> Int64? {
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        return (object?["id"] as? NSNumber)?.int64Value
    }

    /// Waits until every ticket was taken (or `waitingUpTo` passed), then reads how long each took.
    private func assignmentTimes(of ids: [Int64], waitingUpTo limit: Duration) async throws -> ([String: Double], Int) {
        let deadline = ContinuousClock.now + limit
        var waiting = Int.max
        while ContinuousClock.now < deadline {
            let rows = try await client.query("SELECT count(*) FROM tickets WHERE id = ANY(\(ids)) AND taken_at IS NULL", logger: logger)
            for try await count in rows.decode(Int64.self) { waiting = Int(count) }
            if waiting == 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        var latency = Latencies()
        let rows = try await client.query(
            """
            SELECT extract(epoch FROM e.at - t.created_at)::float8 FROM tickets t
            JOIN ticket_events e ON e.ticket_id = t.id AND e.kind = 'taken'
            WHERE t.id = ANY(\(ids))
            """,
            logger: logger
        )
        for try await seconds in rows.decode(Double.self) { latency.record(seconds: seconds) }
        return (latency.summary, waiting)
    }

    /// The jobs table's size on disk and its rows by state.
    private func jobsTable(at seconds: Double) async throws -> JobsTableSample {
        var sample = JobsTableSample(at: seconds)
        let size = try await client.query("SELECT pg_total_relation_size('queue.jobs')", logger: logger)
        for try await bytes in size.decode(Int64.self) { sample.bytes = bytes }
        let rows = try await client.query("SELECT state, count(*) FROM queue.jobs GROUP BY state", logger: logger)
        for try await (state, count) in rows.decode((Int16, Int64).self) {
            sample.rows[["pending", "running", "completed", "discarded", "cancelled"][Int(state)]] = count
        }
        return sample
    }
}

/// The jobs table at one moment of a phase.
struct JobsTableSample: Sendable {
    let at: Double
    var bytes: Int64 = 0
    var rows: [String: Int64] = [:]

    var json: [String: Any] { ["at_s": (at * 10).rounded() / 10, "bytes": bytes, "rows": rows] }
}
