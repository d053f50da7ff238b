import Foundation
import GuichetDomain
import GuichetStore

/// A ticket state after an action, with the field changes history records.
struct TicketChange {
    var state: TicketState
    var changes: [String: FieldChange]
    var eventKind: String
    var note: String?

    /// Applies `action` to a ticket in state `before` as the lifecycle allows, at `now`.
    static func applying(_ action: TicketAction, to before: TicketState, at now: Date) throws(TicketRuleError) -> TicketChange {
        var after = before
        after.status = try TicketLifecycle.transition(
            from: before.status, by: action, hasTeam: before.teamID != nil, hasAgent: before.agentID != nil
        )
        var note: String?
        switch action {
        case .assign(let teamID):
            after.teamID = teamID
            after.agentID = nil
            after.escalationReason = nil
        case .take(let agentID):
            after.agentID = agentID
            after.takenAt = before.takenAt ?? now
        case .pend(let reason):
            after.pendingReason = reason
            note = reason
        case .resume:
            after.pendingReason = nil
        case .escalate(let teamID, let reason):
            after.teamID = teamID
            after.agentID = nil
            after.pendingReason = nil
            after.escalationReason = reason
            note = reason
        case .resolve(let resolution):
            after.resolution = resolution
            after.resolvedAt = now
            after.pendingReason = nil
            note = resolution.solution
        case .close:
            after.closedAt = now
        case .reopen(let reason):
            after.resolution = nil
            after.resolvedAt = nil
            note = reason
        }
        return TicketChange(state: after, changes: diff(before, after), eventKind: eventKind(of: action.name), note: note)
    }

    static func eventKind(of action: TicketActionName) -> String {
        switch action {
        case .assign: "assigned"
        case .take: "taken"
        case .pend: "pended"
        case .resume: "resumed"
        case .escalate: "escalated"
        case .resolve: "resolved"
        case .close: "closed"
        case .reopen: "reopened"
        }
    }

    static func diff(_ before: TicketState, _ after: TicketState) -> [String: FieldChange] {
        var changes: [String: FieldChange] = [:]
        func compare(_ name: String, _ old: String?, _ new: String?) {
            if old != new { changes[name] = FieldChange(from: old, to: new) }
        }
        compare("status", before.status.rawValue, after.status.rawValue)
        compare("team_id", before.teamID.map(String.init), after.teamID.map(String.init))
        compare("agent_id", before.agentID.map(String.init), after.agentID.map(String.init))
        compare("pending_reason", before.pendingReason, after.pendingReason)
        compare("escalation_reason", before.escalationReason, after.escalationReason)
        compare("resolution_code", before.resolution?.code, after.resolution?.code)
        compare("resolution_mode", before.resolution?.mode.rawValue, after.resolution?.mode.rawValue)
        return changes
    }
}
