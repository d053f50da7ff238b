import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO

/// The fleet at its real size: the demo's inventory (about 65,000 CIs with their relations)
/// imported into an empty CMDB, then again with 5 % of its rows changed and 1 % gone, by
/// `guichet import cis` as an operator runs it; then, padded to 1,000,000 CIs, searches and impact
/// analyses through an API node.
struct CMDBBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cmdb", abstract: "Benchmark the CMDB: imports, search, impact.")

    @Option(help: "The guichet binary that imports.") var guichet: String
    @Option(name: .customLong("database-url")) var databaseURL: String
    @Option(name: .customLong("base-url"), help: "An API node or the load balancer.") var baseURL: String
    @Option(help: "The demo accounts file written by guichet demo.") var demo: String
    @Option(help: "The demo fleet's inventory (guichet demo --fleet-csv).") var fleet: String
    @Option(help: "Where the changed inventory is written.") var work: String
    @Option(help: "CIs in all for the searches and analyses.") var total = 1_000_000
    @Option var requests = 300

    struct DemoFile: Decodable {
        struct Account: Decodable {
            let role: String
            let apiToken: String
        }
        let accounts: [Account]
    }

    func run() async throws {
        var result: [String: Any] = [:]
        let original = try String(contentsOfFile: fleet, encoding: .utf8)
        let rows = original.split(separator: "\n").count - 1
        result["first_import"] = try importing(fleet, rows: rows)
        let changedPath = work + "/fleet-changed.csv"
        let (changed, removed) = Self.changed(original)
        try changed.write(toFile: changedPath, atomically: true, encoding: .utf8)
        var second = try importing(changedPath, rows: rows - removed)
        second["changed_rows"] = rows / 20
        second["removed_rows"] = removed
        result["second_import"] = second

        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let accounts = try decoder.decode(DemoFile.self, from: Data(contentsOf: URL(fileURLWithPath: demo))).accounts
        guard let agent = accounts.first(where: { $0.role == "agent" }) else { throw ValidationError("the demo file has no agent") }
        let (padded, targets) = try await withBenchDatabase(databaseURL, connections: 2) { client, logger in
            (try await Self.pad(client, to: total, logger: logger), try await Self.targets(client, logger: logger))
        }
        progress("padded the CMDB to \(padded) CIs")
        result["cis"] = padded
        result["search"] = try await measure(token: agent.apiToken, paths: Self.searches(targets.names, targets.serials, targets.addresses))
        result["impact_router"] = try await measure(token: agent.apiToken, paths: ["/api/v1/cis/\(targets.router)/impact?direction=down"])
        result["impact_router_size"] = targets.routerSize
        result["impact_farm"] = try await measure(token: agent.apiToken, paths: ["/api/v1/cis/\(targets.farm)/impact?direction=down"])
        try printJSON(result)
    }

    /// Runs `guichet import cis` on `path`, timed; its summary line is kept.
    func importing(_ path: String, rows: Int) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: guichet)
        process.arguments = ["import", "cis", path, "--source", "inventory", "--full", "--database-url", databaseURL, "--log-level", "warning"]
        let output = Pipe()
        process.standardOutput = output
        let start = ContinuousClock.now
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = (ContinuousClock.now - start).seconds
        let summary = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard process.terminationStatus == 0 else { throw ValidationError("the import of \(path) failed: \(summary)") }
        progress(String(format: "%@: %.2f s, %@", path, seconds, summary))
        return ["seconds": seconds, "rows": rows, "rows_per_s": Double(rows) / seconds, "summary": summary]
    }

    /// The inventory with every 20th row's room changed and every 100th row left out (never a row
    /// another one's relations name: those are network devices, kept).
    static func changed(_ csv: String) -> (String, Int) {
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        guard let room = header.firstIndex(of: "room"), let ciClass = header.firstIndex(of: "class") else { return (csv, 0) }
        var out = [header.joined(separator: ",")]
        var removed = 0
        for (index, line) in lines.enumerated() where !line.isEmpty {
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let leaf = ["desktop", "laptop", "printer", "projector", "interactive_display", "virtual_machine"].contains(fields[ciClass])
            if index % 100 == 7 && leaf {
                removed += 1
                continue
            }
            if index % 20 == 3 && fields.count > room { fields[room] = "Salle \(index % 97)" }
            out.append(fields.joined(separator: ","))
        }
        return (out.joined(separator: "\n") + "\n", removed)
    }

    /// Adds workstations until the CMDB holds `total` CIs, in SQL (as a larger fleet would be).
    static func pad(_ client: PostgresClient, to total: Int, logger: Logger) async throws -> Int {
        try await client.query(
            """
            INSERT INTO cis (class, name, status, establishment_id, room, serial, asset_tag, ip, brand, model)
            SELECT CASE WHEN n % 5 = 0 THEN 'laptop' ELSE 'desktop' END,
                   'PC-ARCH-' || lpad(n::text, 7, '0') || CASE WHEN n % 3 = 0 THEN '-Écran' ELSE '' END, 'stock',
                   (SELECT id FROM organizations WHERE kind = 'establishment' ORDER BY id OFFSET (n % 180) LIMIT 1),
                   'R' || (n % 400), 'ARCH' || md5(n::text), 'INV-ARCH-' || n, ('172.' || (16 + n / 65536 % 16) || '.' || (n / 256 % 256) || '.' || (n % 256))::inet,
                   'Dell', 'OptiPlex 3000'
            FROM generate_series(1, greatest(\(total) - (SELECT count(*) FROM cis), 0)) AS n
            """,
            logger: logger
        )
        // a real fleet of that size has been vacuumed long since (its visibility map is set) and its
        // search trigrams recounted by the hourly job
        try await client.query("VACUUM ANALYZE cis", logger: logger)
        try await client.query("SELECT refresh_ci_search_trigrams()", logger: logger)
        let rows = try await client.query("SELECT count(*) FROM cis", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Names, serials and IP addresses to search for, the router of the largest establishment (by
    /// CIs) and the first farm.
    static func targets(
        _ client: PostgresClient, logger: Logger
    ) async throws -> (names: [String], serials: [String], addresses: [String], router: Int64, routerSize: Int, farm: Int64) {
        var names: [String] = []
        var serials: [String] = []
        var addresses: [String] = []
        for try await (name, serial, address) in try await client.query(
            "SELECT name, coalesce(serial, ''), coalesce(host(ip), '') FROM cis WHERE source = 'inventory' ORDER BY md5(id::text) LIMIT 200",
            logger: logger
        ).decode((String, String, String).self) {
            names.append(name)
            if !serial.isEmpty { serials.append(serial) }
            if !address.isEmpty { addresses.append(address) }
        }
        var router: Int64 = 0
        var size = 0
        for try await (id, count) in try await client.query(
            """
            SELECT r.id, (SELECT count(*) FROM cis c WHERE c.establishment_id = r.establishment_id)::bigint FROM cis r
            WHERE r.class = 'router' AND r.source = 'inventory' ORDER BY 2 DESC, r.id LIMIT 1
            """,
            logger: logger
        ).decode((Int64, Int64).self) {
            router = id
            size = Int(count)
        }
        var farm: Int64 = 0
        for try await id in try await client.query("SELECT id FROM cis WHERE class = 'farm' ORDER BY id LIMIT 1", logger: logger).decode(Int64.self) {
            farm = id
        }
        return (names, serials, addresses, router, size, farm)
    }

    /// Searches as people type them: a whole name, a part of one, a serial's start, the first three
    /// bytes of a device's IP address (its subnet), a word without its accent, two words.
    static func searches(_ names: [String], _ serials: [String], _ addresses: [String]) -> [String] {
        var queries: [String] = []
        for (index, name) in names.enumerated() {
            switch index % 6 {
            case 0: queries.append(name)
            case 1: queries.append(String(name.prefix(9)))
            case 2: queries.append(serials.isEmpty ? name : String(serials[index % serials.count].prefix(8)))
            case 3: queries.append(addresses.isEmpty ? name : addresses[index % addresses.count].split(separator: ".").prefix(3).joined(separator: "."))
            case 4: queries.append("ecran")
            default: queries.append("imp \(index % 15 + 1)")
            }
        }
        return queries.map { "/api/v1/cis?q=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" }
    }

    /// Sends `requests` GETs cycling over `paths` on one connection, after 10 of warm-up.
    func measure(token: String, paths: [String]) async throws -> [String: Double] {
        guard let url = URL(string: baseURL), let host = url.host, let port = url.port else { throw ValidationError("bad --base-url") }
        let latencies = try await HTTPConnection(host: host, port: port).run { send in
            var latencies = Latencies()
            for index in 0..<(requests + 10) {
                let path = paths[index % paths.count]
                let start = ContinuousClock.now
                let response = try await send(.GET, path, [("Authorization", "Bearer \(token)")], nil)
                guard response.status == 200 else { throw ValidationError("\(path) answered \(response.status)") }
                if index >= 10 { latencies.record(seconds: (ContinuousClock.now - start).seconds) }
            }
            return latencies
        }
        progress(String(format: "%@…: p50 %.1f ms, p99 %.1f ms", paths[0], latencies.milliseconds(50), latencies.milliseconds(99)))
        return latencies.summary
    }

}
