import GuichetQueue
import Hummingbird
import Prometheus
import Synchronization

/// `/metrics` in Prometheus text format: request counts and latencies (from the metrics middleware),
/// job pickup and run times (from workers in their own process), and the queue depth read at scrape
/// time. Served to whoever reaches the node itself (the monitoring network), never through the
/// load balancer that faces the portal's users.
final class MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry
    let queue: JobQueue
    /// Every (queue, state) pair seen or known, so that an empty queue reports 0 rather than nothing.
    let seen: Mutex<Set<[String]>>

    static var depth: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "guichet", metricName: "queue", unitName: "jobs", helpText: "Pending and running jobs per queue and state."
        )
    }

    /// Peers that are the load balancer: what comes through it is the public's, and metrics are
    /// for the monitoring that scrapes each node directly.
    let publicFaces: Set<String>

    /// `queues`: the queues reported even before their first job.
    init(registry: PrometheusCollectorRegistry, queue: JobQueue, queues: [String], publicFaces: Set<String> = []) {
        self.registry = registry
        self.publicFaces = publicFaces
        self.queue = queue
        self.seen = Mutex(Set(queues.flatMap { name in [JobState.pending, .running].map { [name, $0.description] } }))
    }

    func register(in table: RouteTable) {
        table.add(.get, "/metrics") { [self] _, context in
            if let peer = context.peerAddress, self.publicFaces.contains(peer) {
                throw Problem.notFound("Metrics are scraped from each node directly, not through the load balancer.")
            }
            if let depth = try? await self.queue.depth() {
                let current = Dictionary(depth.map { ([$0.queue, $0.state.description], $0.count) }, uniquingKeysWith: +)
                let pairs = self.seen.withLock { seen in
                    seen.formUnion(current.keys)
                    return seen
                }
                for pair in pairs {
                    self.registry.makeGauge(descriptor: Self.depth, labels: [("queue", pair[0]), ("state", pair[1])])
                        .set(Double(current[pair] ?? 0))
                }
            }
            var buffer: [UInt8] = []
            self.registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }
}
