import Crypto
import Foundation
import GuichetDomain

/// What a caller sends to open a ticket. Optional fields are checked by `validated`, so that every
/// problem is reported at once.
public struct OpenTicketRequest: Sendable, Equatable, Codable {
    public var kind: TicketKind?
    public var title: String?
    public var description: String?
    /// 1 (a whole site or more) to 3 (one person); 3 when left out.
    public var impact: Int?
    /// 1 (work stopped) to 3 (it can wait); 3 when left out.
    public var urgency: Int?
    /// A service code of the catalogue.
    public var service: String?
    /// The establishment (id or UAI); the requester's own when left out.
    public var establishment: String?
    /// `api` when left out.
    public var origin: TicketOrigin?
    /// Staff recording a call open tickets on behalf of the caller.
    public var requesterId: Int64?
    /// The equipment concerned (CI ids within the caller's perimeter); none when left out.
    public var cis: [Int64]?
    /// Never accepted, and refused by name rather than ignored: Guichet derives the priority from
    /// impact and urgency, dispatch chooses the team, agents take tickets, and the organisation is
    /// the establishment's.
    public var priority: String?
    public var teamId: Int64?
    public var agentId: Int64?
    public var organizationId: Int64?

    public init(
        kind: TicketKind? = nil, title: String? = nil, description: String? = nil, impact: Int? = nil, urgency: Int? = nil,
        service: String? = nil, establishment: String? = nil, origin: TicketOrigin? = nil, requesterId: Int64? = nil
    ) {
        self.kind = kind
        self.title = title
        self.description = description
        self.impact = impact
        self.urgency = urgency
        self.service = service
        self.establishment = establishment
        self.origin = origin
        self.requesterId = requesterId
    }

    /// The fingerprint an idempotency key is bound to.
    var fingerprint: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let bytes = (try? encoder.encode(self)) ?? Data()
        return Data(SHA256.hash(data: bytes))
    }

    struct Checked {
        var kind: TicketKind
        var title: String
        var description: String
        var impact: Impact
        var urgency: Urgency
    }

    func validated() throws(ServiceError) -> Checked {
        var problems: [FieldProblem] = []
        let title = (title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { problems.append(.init(field: "title", message: "A title is required.")) }
        if title.count > 200 { problems.append(.init(field: "title", message: "The title is longer than 200 characters.")) }
        if kind == nil { problems.append(.init(field: "kind", message: "The kind is required: incident or request.")) }
        let description = description ?? ""
        if description.count > 20_000 {
            problems.append(.init(field: "description", message: "The description is longer than 20,000 characters."))
        }
        if priority != nil { problems.append(.init(field: "priority", message: "Guichet derives the priority from impact and urgency.")) }
        if teamId != nil { problems.append(.init(field: "team_id", message: "Dispatch chooses the team; staff move a ticket with the assign action.")) }
        if agentId != nil { problems.append(.init(field: "agent_id", message: "Agents take tickets with the take action.")) }
        if organizationId != nil { problems.append(.init(field: "organization_id", message: "Name the establishment with establishment.")) }
        if let cis, cis.count > 20 { problems.append(.init(field: "cis", message: "A ticket names 20 configuration items at most.")) }
        if let cis, Set(cis).count != cis.count { problems.append(.init(field: "cis", message: "A configuration item is named twice.")) }
        let impact = Impact(rawValue: impact ?? 3)
        if impact == nil { problems.append(.init(field: "impact", message: "The impact is 1, 2 or 3.")) }
        let urgency = Urgency(rawValue: urgency ?? 3)
        if urgency == nil { problems.append(.init(field: "urgency", message: "The urgency is 1, 2 or 3.")) }
        guard problems.isEmpty, let kind, let impact, let urgency else { throw .validation(problems) }
        return Checked(kind: kind, title: title, description: description, impact: impact, urgency: urgency)
    }
}

/// The result of an open: the ticket, and whether it is the stored answer to an earlier identical request.
public struct OpenOutcome: Sendable, Equatable {
    public var ticket: TicketView
    public var replayed: Bool
}
