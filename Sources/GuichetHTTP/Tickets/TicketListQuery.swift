import GuichetDomain
import Hummingbird

/// The query string of `GET /tickets`, checked field by field.
struct TicketListQuery {
    var filter = TicketFilter()
    var establishment: String?
    var cursor: String?
    var limit = 50

    init(_ parameters: Parameters) throws {
        if let statuses = parameters.get("status") {
            filter.statuses = try statuses.split(separator: ",").map { name in
                guard let status = TicketStatus(rawValue: String(name)) else {
                    throw Problem.badRequest(
                        "Unknown status '\(name)'; use \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", ")).", field: "status"
                    )
                }
                return status
            }
        }
        filter.teamID = try Self.id(parameters, "team")
        filter.agentID = try Self.id(parameters, "agent")
        establishment = parameters.get("establishment")
        if let priority = parameters.get("priority") {
            guard let value = Priority(label: priority) ?? Int(priority).flatMap(Priority.init(rawValue:)) else {
                throw Problem.badRequest("The priority is P1, P2, P3 or P4.", field: "priority")
            }
            filter.priority = value
        }
        if let kind = parameters.get("kind") {
            guard let value = TicketKind(rawValue: kind) else { throw Problem.badRequest("The kind is incident or request.", field: "kind") }
            filter.kind = value
        }
        if let origin = parameters.get("origin") {
            guard let value = TicketOrigin(rawValue: origin) else {
                throw Problem.badRequest("The origin is \(TicketOrigin.allCases.map(\.rawValue).joined(separator: ", ")).", field: "origin")
            }
            filter.origin = value
        }
        cursor = parameters.get("cursor")
        if let limit = parameters.get("limit") {
            guard let value = Int(limit), (1...200).contains(value) else {
                throw Problem.badRequest("The limit is a whole number from 1 to 200.", field: "limit")
            }
            self.limit = value
        }
    }

    private static func id(_ parameters: Parameters, _ name: String) throws -> Int64? {
        guard let text = parameters.get(name) else { return nil }
        guard let id = Int64(text), id > 0 else { throw Problem.badRequest("The \(name) filter is a numeric id.", field: name) }
        return id
    }
}
