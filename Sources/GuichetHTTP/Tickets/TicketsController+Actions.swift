import GuichetDomain
import GuichetServices
import Hummingbird

/// The body of `POST /tickets/{id}/actions/{action}`; each action reads the fields it needs.
struct ActionRequest: Decodable {
    var teamId: Int64?
    var agentId: Int64?
    var reason: String?
    var resolutionCode: String?
    var solution: String?
    var resolutionMode: ResolutionMode?

    /// The action named in the path, with its fields; missing ones are all reported together.
    func action(named name: TicketActionName, caller: Principal) throws -> TicketAction {
        var missing: [String] = []
        func need<T>(_ value: T?, _ field: String) -> T? {
            if value == nil { missing.append(field) }
            return value
        }
        let action: TicketAction?
        switch name {
        case .assign:
            action = need(teamId, "team_id").map { .assign(teamID: $0) }
        case .take:
            action = .take(agentID: agentId ?? caller.personID)
        case .pend:
            action = need(reason, "reason").map { .pend(reason: $0) }
        case .resume:
            action = .resume
        case .escalate:
            let team = need(teamId, "team_id")
            let reason = need(reason, "reason")
            action = team.flatMap { team in reason.map { .escalate(teamID: team, reason: $0) } }
        case .resolve:
            let code = need(resolutionCode, "resolution_code")
            let solution = need(solution, "solution")
            let mode = need(resolutionMode, "resolution_mode")
            if let code, let solution, let mode {
                action = .resolve(Resolution(code: code, solution: solution, mode: mode))
            } else {
                action = nil
            }
        case .close:
            action = .close
        case .reopen:
            action = need(reason, "reason").map { .reopen(reason: $0) }
        }
        guard let action, missing.isEmpty else {
            throw Problem.validation(missing.map { FieldProblem(field: $0, message: "The action '\(name.rawValue)' requires this field.") })
        }
        return action
    }
}

extension TicketsController {
    @Sendable func act(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let actionName = try context.parameters.require("action")
        guard let name = TicketActionName(rawValue: actionName) else {
            throw Problem.notFound("There is no action '\(actionName)'; the actions are \(TicketActionName.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        try TicketService.authorize(name, by: principal)
        let version = try ETag.required(request, of: "ticket")
        let body = try await JSONBody.decode(ActionRequest.self, from: request, context: context, optional: true)
        let ticket = try await tickets.perform(try body.action(named: name, caller: principal), on: id, expectedVersion: version, by: principal)
        var response = try Self.json(ticket)
        response.headers[.eTag] = ETag.make(ticket.version)
        return response
    }
}
