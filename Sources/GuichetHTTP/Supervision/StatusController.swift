import GuichetServices
import Hummingbird

/// `GET /api/v1/status`: the status board within the caller's perimeter.
struct StatusController {
    let status: StatusBoard

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.get, "/status", in: group, prefix: prefix, handler: board)
    }

    @Sendable func board(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try TicketsController.json(try await status.board(for: try context.requirePrincipal()))
    }
}
