import ArgumentParser
import Foundation
import GuichetHTTP
import GuichetQueue
import GuichetServices
import GuichetStore
import Hummingbird
import Logging
import Metrics
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// `guichet serve`: an API node (JSON API, health, metrics). Stateless: run as many as needed.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run an API node.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (env GUICHET_HTTP_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env GUICHET_HTTP_PORT, default 8081).")
    var port: Int?

    @Option(name: .customLong("public-url"), help: "The address users reach through the load balancer (env GUICHET_PUBLIC_URL).")
    var publicURL: String?

    @Option(
        name: .customLong("trusted-proxies"),
        help: "Comma-separated addresses whose X-Forwarded-For is believed (env GUICHET_TRUSTED_PROXIES, default 127.0.0.1,::1)."
    )
    var trustedProxies: String?

    @Option(name: .customLong("cas-url"), help: "The schools' CAS server, e.g. https://ent.example.fr/cas, to sign in through it (env GUICHET_CAS_URL).")
    var casURL: String?

    @Option(name: .customLong("cas-match"), help: "How a CAS user is found: login or email (env GUICHET_CAS_MATCH, default login).")
    var casMatch: String?

    @Option(name: .customLong("drain-seconds"), help: "Seconds readiness reports draining before the server stops (env GUICHET_DRAIN_SECONDS, default 2).")
    var drainSeconds: Double?

    @Option(
        name: .customLong("header-timeout"),
        help: "Seconds a new connection has to send its first request's head (env GUICHET_HEADER_TIMEOUT, default 20)."
    )
    var headerTimeout: Double?

    func run() async throws {
        let logger = try common.logger(label: "guichet.serve")
        let url = try common.database()
        let portText = port.map(String.init) ?? Environment.value("GUICHET_HTTP_PORT") ?? "8081"
        guard let port = Int(portText), (1...65535).contains(port) else { throw ValidationError("The port '\(portText)' is not a port number.") }
        let drain = drainSeconds ?? Environment.value("GUICHET_DRAIN_SECONDS").flatMap(Double.init) ?? 2
        let proxies = (trustedProxies ?? Environment.value("GUICHET_TRUSTED_PROXIES") ?? "127.0.0.1,::1")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var configuration = HTTPConfiguration(
            host: host ?? Environment.value("GUICHET_HTTP_HOST") ?? "127.0.0.1",
            port: port,
            drainDelay: .milliseconds(Int64(drain * 1000)),
            trustedProxies: Set(proxies),
            cas: try casSettings()
        )
        let headerSeconds = headerTimeout ?? Environment.value("GUICHET_HEADER_TIMEOUT").flatMap(Double.init) ?? 20
        guard headerSeconds > 0 else { throw ValidationError("The header timeout is a positive number of seconds.") }
        configuration.headerTimeout = .milliseconds(Int64(headerSeconds * 1000))
        let secrets = try common.secrets()
        try await verifySchema(url, logger: logger)

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(makeMetricsFactory(registry: registry))
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let database = Database(client: client, logger: logger)
        let state = NodeState()
        let notifier = JobNotifier(client: client, logger: logger)
        let live = LiveFeed(database: database, logger: logger)
        let desk = ServiceDesk(
            database: database, notifier: notifier, publicURL: publicURL ?? Environment.value("GUICHET_PUBLIC_URL"), secrets: secrets, logger: logger
        )
        let app = buildApplication(desk: desk, state: state, registry: registry, configuration: configuration, live: live, logger: logger)
        // Shutdown runs in reverse: the drain gate first (readiness false), then the live feed (its
        // event streams end, so browsers reconnect to another node), then the server, then the
        // notifier (which sends what is left), then the database.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: client),
                    .init(service: notifier),
                    .init(service: app),
                    .init(service: live),
                    .init(service: DrainGate(state: state, delay: configuration.drainDelay, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info("API node starting", metadata: ["address": "\(configuration.host):\(configuration.port)", "database": "\(url)"])
        try await group.run()
    }

    func casSettings() throws -> CASService.Settings? {
        guard let url = casURL ?? Environment.value("GUICHET_CAS_URL") else { return nil }
        guard url.hasPrefix("https://") || url.hasPrefix("http://127.0.0.1") || url.hasPrefix("http://localhost") else {
            throw ValidationError("The CAS server '\(url)' must be reached over https (plain http only on this machine).")
        }
        let matchText = casMatch ?? Environment.value("GUICHET_CAS_MATCH") ?? "login"
        guard let match = CASService.Settings.Match(rawValue: matchText) else { throw ValidationError("--cas-match is login or email.") }
        return CASService.Settings(serverURL: url, match: match)
    }
}
