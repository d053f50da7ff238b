import GuichetQueue
import GuichetServices
import GuichetStore
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Where and how an API node serves.
public struct HTTPConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// How long readiness reports draining before the server stops on SIGTERM.
    public var drainDelay: Duration
    /// Peers whose `X-Forwarded-For` names the real client (the load balancer).
    public var trustedProxies: Set<String>
    /// The address users reach through the load balancer.
    public var publicURL: String?
    /// The schools' CAS server, when users may sign in through it.
    public var cas: CASService.Settings?
    /// Seals webhooks' secrets (`GUICHET_SECRET_KEY`); without it, webhooks cannot be subscribed.
    public var secrets: SecretBox?
    /// How long a new connection has to send its first request's head.
    public var headerTimeout: Duration = .seconds(20)

    public init(
        host: String = "127.0.0.1", port: Int = 8081, drainDelay: Duration = .seconds(2), trustedProxies: Set<String> = ["127.0.0.1", "::1"],
        publicURL: String? = nil, cas: CASService.Settings? = nil, secrets: SecretBox? = nil
    ) {
        self.cas = cas
        self.secrets = secrets
        self.host = host
        self.port = port
        self.drainDelay = drainDelay
        self.trustedProxies = trustedProxies
        self.publicURL = publicURL
    }
}

/// The API node's router and the table of its routes.
public func buildRouter(
    database: Database, notifier: JobNotifier, state: NodeState, registry: PrometheusCollectorRegistry, trustedProxies: Set<String> = [],
    publicURL: String? = nil, cas: CASService.Settings? = nil, secrets: SecretBox? = nil, live: LiveFeed? = nil, logger: Logger
) -> (Router<GuichetRequestContext>, RouteTable) {
    let router = Router(context: GuichetRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ClientAddressMiddleware(trustedProxies: trustedProxies))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: InputGuardMiddleware())
    let table = RouteTable(router: router)
    router.add(middleware: MethodNotAllowedMiddleware(known: table.known))
    HealthController(database: database, state: state).register(in: table)
    MetricsController(
        registry: registry, queue: JobQueue(client: database.client, logger: logger), queues: [TicketService.assignmentQueue],
        publicFaces: trustedProxies
    ).register(in: table)

    let prefix = "/api/v1"
    let publicAPI = router.group(RouterPath(prefix))
    OpenAPIController().register(in: table, group: publicAPI, prefix: prefix)
    let audit = AuditService(database: database, logger: logger)
    let sessions = SessionService(database: database, logger: logger)
    let api = router.group(RouterPath(prefix)).add(middleware: AuthMiddleware(database: database, audit: audit, sessions: sessions))
        .add(middleware: DeniedAccessAuditMiddleware(audit: audit))
    SessionController(sessions: sessions, secureCookies: publicURL?.lowercased().hasPrefix("https://") == true)
        .register(in: table, publicGroup: publicAPI, group: api, prefix: prefix)
    PasswordResetController(resets: PasswordResetService(database: database, logger: logger, publicURL: publicURL))
        .register(in: table, group: publicAPI, prefix: prefix)
    CASController(
        cas: cas.map { CASService(settings: $0, sessions: sessions, logger: logger) }, publicURL: publicURL ?? "http://127.0.0.1:8080",
        secureCookies: publicURL?.lowercased().hasPrefix("https://") == true
    ).register(in: table)
    let tickets = TicketService(database: database, notifier: notifier, logger: logger, publicURL: publicURL)
    TicketsController(tickets: tickets, sla: SLAService(database: database, logger: logger)).register(in: table, group: api, prefix: prefix)
    InboundMailController(inbound: InboundMailService(tickets: tickets)).register(in: table, group: api, prefix: prefix)
    WebhooksController(webhooks: WebhookService(database: database, logger: logger, secrets: secrets)).register(in: table, group: api, prefix: prefix)
    AuditController(audit: audit).register(in: table, group: api, prefix: prefix)
    WebController(
        renderer: WebRenderer(), tickets: tickets, sessions: sessions, console: ConsoleService(database: database, logger: logger),
        sla: SLAService(database: database, logger: logger), catalogue: CatalogueService(database: database, logger: logger),
        dashboards: DashboardService(database: database, logger: logger), live: live ?? LiveFeed(database: database, logger: logger),
        secureCookies: publicURL?.lowercased().hasPrefix("https://") == true, casEnabled: cas != nil
    ).register(on: router, audit: audit)
    return (router, table)
}

/// An API node: the HTTP server of the JSON API, the web pages, health and metrics; `live` feeds
/// the consoles' live updates (a service of its own in the node's group).
public func buildApplication(
    database: Database, notifier: JobNotifier, state: NodeState, registry: PrometheusCollectorRegistry, configuration: HTTPConfiguration,
    live: LiveFeed, logger: Logger
) -> some ApplicationProtocol {
    let (router, _) = buildRouter(
        database: database, notifier: notifier, state: state, registry: registry, trustedProxies: configuration.trustedProxies,
        publicURL: configuration.publicURL, cas: configuration.cas, secrets: configuration.secrets, live: live, logger: logger
    )
    return Application(
        router: router,
        server: .guardedHTTP1(headTimeout: TimeAmount(configuration.headerTimeout)),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "guichet"),
        logger: logger
    )
}
