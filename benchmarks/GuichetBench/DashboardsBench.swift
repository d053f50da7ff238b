import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1

/// Renders the dashboards page through an API node, signed in as staff and as partners' viewers,
/// and reports how long each whole page took (request sent to last byte), over a seeded history.
struct DashboardsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboards", abstract: "Benchmark the dashboards' render time.")

    @Option(name: .customLong("base-url")) var baseURL: String
    @Option(help: "The demo accounts file written by guichet demo.") var demo: String
    @Option var requests = 30
    @Option var warmup = 3

    struct DemoFile: Decodable {
        let accounts: [Account]
    }

    struct Account: Decodable {
        let role: String
        let login: String
        let password: String
        let organizationCode: String
    }

    func run() async throws {
        guard let url = URL(string: baseURL), let host = url.host, let port = url.port else { throw ValidationError("bad --base-url") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let accounts = try decoder.decode(DemoFile.self, from: Data(contentsOf: URL(fileURLWithPath: demo))).accounts
        guard let agent = accounts.first(where: { $0.role == "agent" }), let partner = accounts.first(where: { $0.role == "partner_viewer" }) else {
            throw ValidationError("the demo file has no agent or partner viewer")
        }
        let scenarios: [(name: String, account: Account, path: String)] = [
            ("staff, last 12 months", agent, "/dashboards"),
            ("staff, 36 months", agent, "/dashboards?from=\(Self.month(-35))&to=\(Self.month(0))"),
            ("staff, one département, lycées", agent, "/dashboards?department=45&type=lycee"),
            ("partner \(partner.organizationCode), last 12 months", partner, "/dashboards"),
            ("staff, CSV of top establishments", agent, "/dashboards/top-establishments.csv"),
        ]
        var results: [[String: Any]] = []
        for scenario in scenarios {
            let (latencies, bytes) = try await HTTPConnection(host: host, port: port).run { send in
                let cookie = try await Self.signIn(scenario.account, send: send)
                var latencies = Latencies()
                var bytes = 0
                for index in 0..<(warmup + requests) {
                    let start = ContinuousClock.now
                    let response = try await send(.GET, scenario.path, [("Cookie", cookie)], nil)
                    guard response.status == 200 else { throw ValidationError("\(scenario.path) answered \(response.status)") }
                    if index >= warmup { latencies.record(seconds: (ContinuousClock.now - start).seconds) }
                    bytes = response.body.readableBytes
                }
                return (latencies, bytes)
            }
            FileHandle.standardError.write(Data(String(format: "%@: p50 %.1f ms, p99 %.1f ms\n", scenario.name, latencies.milliseconds(50), latencies.milliseconds(99)).utf8))
            results.append(["name": scenario.name, "path": scenario.path, "requests": requests, "bytes": bytes, "render_ms": latencies.summary])
        }
        try printJSON(["scenarios": results])
    }

    /// Signs in through the API and returns the session cookie.
    static func signIn(
        _ account: Account, send: (HTTPMethod, String, [(String, String)], ByteBuffer?) async throws -> HTTPConnection.Response
    ) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["login": account.login, "password": account.password])
        let response = try await send(.POST, "/api/v1/session", [("Content-Type", "application/json")], ByteBuffer(bytes: body))
        guard response.status == 201, let cookie = response.setCookie else { throw ValidationError("sign-in of \(account.login) answered \(response.status)") }
        return cookie
    }

    static func month(_ offset: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris") ?? .current
        let date = calendar.date(byAdding: .month, value: offset, to: Date()) ?? Date()
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }
}
