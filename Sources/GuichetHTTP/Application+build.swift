import GuichetQueue
import GuichetServices
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Where and how an API node serves (the address users reach and the secret key are the desk's).
public struct HTTPConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// How long readiness reports draining before the server stops on SIGTERM.
    public var drainDelay: Duration
    /// Peers whose `X-Forwarded-For` names the real client (the load balancer).
    public var trustedProxies: Set<String>
    /// The schools' CAS server, when users may sign in through it.
    public var cas: CASService.Settings?
    /// How long a new connection has to send its first request's head.
    public var headerTimeout: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 8081, drainDelay: Duration = .seconds(2), trustedProxies: Set<String> = ["127.0.0.1", "::1"],
        cas: CASService.Settings? = nil, headerTimeout: Duration = .seconds(20)
    ) {
        self.host = host
        self.port = port
        self.drainDelay = drainDelay
        self.trustedProxies = trustedProxies
        self.cas = cas
        self.headerTimeout = headerTimeout
    }
}

/// The API node's router and the table of its routes, over the desk's use cases.
public func buildRouter(
    desk: ServiceDesk, state: NodeState, registry: PrometheusCollectorRegistry, trustedProxies: Set<String> = [],
    cas: CASService.Settings? = nil, live: LiveFeed, logger: Logger
) -> (Router<GuichetRequestContext>, RouteTable) {
    let publicURL = desk.publicURL
    let secureCookies = publicURL?.lowercased().hasPrefix("https://") == true
    let router = Router(context: GuichetRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ClientAddressMiddleware(trustedProxies: trustedProxies))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: ProblemMiddleware())
    let renderer = WebRenderer()
    router.add(middleware: InputGuardMiddleware(webErrors: WebErrorMiddleware(renderer: renderer)))
    let table = RouteTable(router: router)
    router.add(middleware: MethodNotAllowedMiddleware(known: table.known))
    HealthController(health: desk.health, state: state).register(in: table)
    MetricsController(registry: registry, queue: desk.queue, queues: [AssignTicket.queue], publicFaces: trustedProxies).register(in: table)

    let prefix = "/api/v1"
    let publicAPI = router.group(RouterPath(prefix))
    OpenAPIController().register(in: table, group: publicAPI, prefix: prefix)
    let api = router.group(RouterPath(prefix)).add(middleware: AuthMiddleware(audit: desk.audit, sessions: desk.sessions))
        .add(middleware: DeniedAccessAuditMiddleware(audit: desk.audit))
    SessionController(sessions: desk.sessions, secureCookies: secureCookies).register(in: table, publicGroup: publicAPI, group: api, prefix: prefix)
    PasswordResetController(resets: desk.passwordResets).register(in: table, group: publicAPI, prefix: prefix)
    CASController(
        cas: cas.map { CASService(settings: $0, sessions: desk.sessions, logger: logger) }, publicURL: publicURL ?? "http://127.0.0.1:8080",
        secureCookies: secureCookies
    ).register(in: table)
    TicketsController(tickets: desk.tickets, sla: desk.sla).register(in: table, group: api, prefix: prefix)
    InboundMailController(inbound: desk.inbound).register(in: table, group: api, prefix: prefix)
    WebhooksController(webhooks: desk.webhooks).register(in: table, group: api, prefix: prefix)
    AuditController(audit: desk.audit).register(in: table, group: api, prefix: prefix)
    CIsController(cmdb: desk.cmdb).register(in: table, group: api, prefix: prefix)
    CIImportsController(imports: desk.imports).register(in: table, group: api, prefix: prefix)
    AlertsController(alerts: desk.alerts).register(in: table, group: api, prefix: prefix)
    StatusController(status: desk.status).register(in: table, group: api, prefix: prefix)
    MaintenanceController(maintenance: desk.maintenance).register(in: table, group: api, prefix: prefix)
    WebController(
        renderer: renderer, tickets: desk.tickets, sessions: desk.sessions, console: desk.console, sla: desk.sla, catalogue: desk.catalogue,
        dashboards: desk.dashboards, cmdb: desk.cmdb, status: desk.status, alerts: desk.alerts, live: live, secureCookies: secureCookies, casEnabled: cas != nil
    ).register(on: router, audit: desk.audit)
    return (router, table)
}

/// An API node: the HTTP server of the JSON API, the web pages, health and metrics; `live` feeds
/// the consoles' live updates (a service of its own in the node's group).
public func buildApplication(
    desk: ServiceDesk, state: NodeState, registry: PrometheusCollectorRegistry, configuration: HTTPConfiguration, live: LiveFeed, logger: Logger
) -> some ApplicationProtocol {
    let (router, _) = buildRouter(
        desk: desk, state: state, registry: registry, trustedProxies: configuration.trustedProxies, cas: configuration.cas, live: live, logger: logger
    )
    return Application(
        router: router,
        server: .guardedHTTP1(headTimeout: TimeAmount(configuration.headerTimeout)),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "guichet"),
        logger: logger
    )
}
