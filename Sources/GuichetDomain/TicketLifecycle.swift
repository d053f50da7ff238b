/// The ticket state machine: which action is allowed from which state, and where it leads.
public enum TicketLifecycle {
    /// The states from which each action may start.
    public static func allowedSources(of action: TicketActionName) -> Set<TicketStatus> {
        switch action {
        case .assign: [.new, .assigned, .inProgress, .escalated]
        case .take: [.new, .assigned, .escalated]
        case .pend: [.inProgress]
        case .resume: [.pending]
        case .escalate: [.assigned, .inProgress, .pending]
        case .resolve: [.inProgress, .pending, .escalated]
        case .close: [.resolved]
        case .reopen: [.resolved]
        }
    }

    /// Out-of-perimeter requests, and duplicates of another ticket, may be answered before anyone
    /// takes them in charge.
    static let outOfPerimeterSources: Set<TicketStatus> = [.new, .assigned]

    /// Where a ticket may be resolved from with the resolution `code`.
    public static func resolvableSources(code: String) -> Set<TicketStatus> {
        var sources = allowedSources(of: .resolve)
        if [Resolution.outOfPerimeterCode, Resolution.duplicateCode].contains(code) { sources.formUnion(outOfPerimeterSources) }
        return sources
    }

    /// The state an action leads to from `status`, or why it may not. A reopened ticket goes back to
    /// its agent; without one (answered before anyone took it) it goes back to its team, or to dispatch.
    public static func transition(
        from status: TicketStatus,
        by action: TicketAction,
        hasTeam: Bool = true,
        hasAgent: Bool = true
    ) throws(TicketRuleError) -> TicketStatus {
        try validateFields(of: action)
        let name = action.name
        var sources = allowedSources(of: name)
        if case .resolve(let resolution) = action { sources = resolvableSources(code: resolution.code) }
        guard sources.contains(status) else {
            throw .invalidTransition(action: name, from: status)
        }
        if case .reopen = action, !hasAgent {
            return hasTeam ? .assigned : .new
        }
        return target(of: action)
    }

    /// The actions that may be performed now on a ticket in `status` (out-of-perimeter resolution aside).
    public static func availableActions(from status: TicketStatus) -> [TicketActionName] {
        TicketActionName.allCases.filter { allowedSources(of: $0).contains(status) }
    }

    static func target(of action: TicketAction) -> TicketStatus {
        switch action {
        case .assign: .assigned
        case .take, .resume, .reopen: .inProgress
        case .pend: .pending
        case .escalate: .escalated
        case .resolve: .resolved
        case .close: .closed
        }
    }

    static func validateFields(of action: TicketAction) throws(TicketRuleError) {
        switch action {
        case .pend(let reason), .escalate(_, let reason), .reopen(let reason):
            try requireText(reason, field: "reason", max: 2_000)
        case .resolve(let resolution):
            try requireText(resolution.code, field: "resolution_code", max: 64)
            try requireText(resolution.solution, field: "solution", max: 20_000)
        case .assign, .take, .resume, .close:
            break
        }
    }

    static func requireText(_ text: String, field: String, max: Int) throws(TicketRuleError) {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { throw .missingField(field) }
        if text.count > max { throw .fieldTooLong(field, max: max) }
    }
}

/// Why a ticket rule refused a change.
public enum TicketRuleError: Error, Equatable, Sendable {
    case invalidTransition(action: TicketActionName, from: TicketStatus)
    case missingField(String)
    case fieldTooLong(String, max: Int)

    public var message: String {
        switch self {
        case .invalidTransition(let action, let from):
            let allowed = TicketLifecycle.availableActions(from: from).map(\.rawValue)
            let hint = allowed.isEmpty ? "no action is possible" : "possible actions: \(allowed.joined(separator: ", "))"
            return "A ticket that is \(from.rawValue) cannot be given the action '\(action.rawValue)' (\(hint))."
        case .missingField(let field):
            return "The field '\(field)' is required and must not be blank."
        case .fieldTooLong(let field, let max):
            return "The field '\(field)' is longer than \(max) characters."
        }
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
