/// What a notification announces, and to whom it goes.
public enum NotificationKind: String, Sendable, CaseIterable, Codable {
    /// To the requester: the ticket is recorded, with its ref.
    case created
    /// To the requester: an agent took the ticket.
    case taken
    /// To the agent: a ticket was given to them.
    case assignedToYou = "assigned_to_you"
    /// To the requester: the agent needs something from them (the pending reason).
    case pending
    /// To the requester: a public reply from the service centre.
    case reply
    /// To the requester: the ticket is resolved, with the solution; they may answer to reopen it.
    case resolved
    /// To the requester: the ticket is closed.
    case closed
    /// To the team's leads: 75 % of the time to own is used and nobody took the ticket.
    case ownershipWarning = "ownership_warning"
    /// To the team's leads: the time to own is exceeded; the ticket is flagged.
    case ownershipBreached = "ownership_breached"
    /// To the service managers: the time to resolve is exceeded.
    case resolutionBreached = "resolution_breached"
    /// To the agents on call: a critical incident was just opened.
    case criticalOpened = "critical_opened"

    /// Whether it goes to service centre staff rather than to the requester.
    var isForStaff: Bool { ![.created, .taken, .pending, .reply, .resolved, .closed].contains(self) }
}

/// What the templates put into a notification.
struct NotificationFacts: Sendable {
    var ref: String
    var title: String
    var recipientName: String
    var agentName: String?
    /// The pending reason, the reply or the solution.
    var detail: String?
    var link: String?
}

/// A rendered notification.
struct NotificationContent: Sendable, Equatable {
    var subject: String
    var text: String
    var html: String
}
