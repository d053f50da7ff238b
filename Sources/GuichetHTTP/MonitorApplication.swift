import GuichetQueue
import GuichetServices
import Hummingbird
import Logging
import Prometheus

/// A worker node's monitoring server: liveness, readiness (database reachable, not draining) and
/// `/metrics` with the job pickup and run time histograms, failures, retries and rescues this
/// worker recorded, and the cluster's queue depth.
public func buildMonitorApplication(
    desk: ServiceDesk, state: NodeState, registry: PrometheusCollectorRegistry, queues: [String], host: String, port: Int, logger: Logger
) -> some ApplicationProtocol {
    let (router, _) = buildMonitorRouter(desk: desk, state: state, registry: registry, queues: queues)
    return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "guichet-worker"), logger: logger)
}

/// The monitoring routes of a worker node serving `queues`, and their table.
public func buildMonitorRouter(
    desk: ServiceDesk, state: NodeState, registry: PrometheusCollectorRegistry, queues: [String]
) -> (Router<GuichetRequestContext>, RouteTable) {
    let router = Router(context: GuichetRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    let table = RouteTable(router: router)
    HealthController(health: desk.health, state: state).register(in: table)
    MetricsController(registry: registry, queue: desk.queue, queues: queues).register(in: table)
    return (router, table)
}

/// The metrics factory of every Guichet process: duration histograms with buckets fine enough for
/// job pickup (milliseconds) and long enough for job runs (minutes).
public func makeMetricsFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
    var factory = PrometheusMetricsFactory(registry: registry)
    let fine: [Duration] = [
        .milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(300),
    ]
    factory.defaultDurationHistogramBuckets = fine
    return factory
}
