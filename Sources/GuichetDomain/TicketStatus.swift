/// Where a ticket stands in its lifecycle.
///
/// `new` -> `assigned` (a team) -> `in_progress` (an agent) <-> `pending`; `escalated` hands the
/// ticket to a third team; `resolved` -> `closed`, or `resolved` -> reopened to `in_progress`.
public enum TicketStatus: String, Sendable, Codable, CaseIterable {
    case new
    case assigned
    case inProgress = "in_progress"
    case pending
    case escalated
    case resolved
    case closed

    /// A ticket in these states still needs work from the service centre.
    public var isOpen: Bool { self != .resolved && self != .closed }
}

/// Incidents are things that broke; requests are things asked for.
public enum TicketKind: String, Sendable, Codable, CaseIterable {
    case incident
    case request
}

/// How a ticket reached the counter.
public enum TicketOrigin: String, Sendable, Codable, CaseIterable {
    case portal
    case email
    case phone
    case api
    case monitoring
}

/// Whether the fix needed someone on site.
public enum ResolutionMode: String, Sendable, Codable, CaseIterable {
    case remote
    case onSite = "on_site"
}
