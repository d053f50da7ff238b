import GuichetServices
import Hummingbird

/// Liveness (the process answers) and readiness (the database answers and the node is not draining).
struct HealthController {
    let health: HealthService
    let state: NodeState

    func register(in table: RouteTable) {
        table.add(.get, "/health/live") { _, _ in
            try TicketsController.json(["status": "live"])
        }
        table.add(.get, "/health/ready") { _, _ in
            if state.isDraining {
                return try TicketsController.json(["status": "draining"], status: .serviceUnavailable)
            }
            guard await health.databaseReachable() else {
                return try TicketsController.json(["status": "database unreachable"], status: .serviceUnavailable)
            }
            return try TicketsController.json(["status": "ready"])
        }
    }
}
