import Logging
import ServiceLifecycle
import Synchronization

/// Whether this API node is leaving the cluster: readiness turns false first, so the load balancer
/// stops sending new requests before the server stops.
public final class NodeState: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    func startDraining() { draining.store(true, ordering: .relaxed) }
}

/// The first service to hear a graceful shutdown: it turns readiness false and waits `delay` so
/// that HAProxy's health checks notice, then lets the HTTP server stop and finish in-flight requests.
public struct DrainGate: Service {
    let state: NodeState
    let delay: Duration
    let logger: Logger

    public init(state: NodeState, delay: Duration, logger: Logger) {
        self.state = state
        self.delay = delay
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return
        }
        state.startDraining()
        logger.info("draining: readiness is now false", metadata: ["delay": "\(delay)"])
        try? await Task.sleep(for: delay)
    }
}
