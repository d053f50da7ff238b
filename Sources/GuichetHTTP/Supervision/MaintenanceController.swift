import GuichetDomain
import GuichetServices
import Hummingbird

/// `/api/v1/maintenance`: maintenance windows, declared and cancelled by the service centre's staff,
/// read by everyone within their perimeter.
struct MaintenanceController {
    let maintenance: MaintenanceService

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.get, "/maintenance", in: group, prefix: prefix, handler: list)
        table.add(.post, "/maintenance", in: group, prefix: prefix, handler: declare)
        table.add(.delete, "/maintenance/{id}", in: group, prefix: prefix, handler: cancel)
    }

    @Sendable func list(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try TicketsController.json(["items": try await maintenance.upcoming(for: try context.requirePrincipal())])
    }

    @Sendable func declare(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(MaintenanceRequest.self, from: request, context: context)
        return try TicketsController.json(try await maintenance.declare(body, by: principal), status: .created)
    }

    @Sendable func cancel(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await maintenance.cancel(try context.rowID("id", naming: "maintenance window"), by: principal)
        return Response(status: .noContent)
    }
}
