import Foundation

/// Why Guichet itself changed a ticket, as its history tells it. Stored as data (a JSON column of
/// the event), so that each page says it in its reader's language; `text` is the English sentence
/// that the API's history and the audit log carry.
public enum SystemNote: Sendable, Equatable, Codable {
    /// The dispatch job gave the ticket to a team and an agent.
    case autoAssignment
    /// The requester did not answer a resolution within `days` days.
    case autoClose(days: Int)
    /// An SLA clock reached 75 % of its target (`breach` false) or its whole target, at `due`.
    case sla(SLAMetric, breach: Bool, due: Date)
    /// Every alert of a monitoring incident recovered, the last one at `at`.
    case alertsRecovered(at: Date)
    /// An alert of a monitoring incident fired again within the hold-down after its resolution.
    case alertFiredAgain(summary: String)

    /// The sentence's name in the locale files (`note_<key>`).
    public var key: String {
        switch self {
        case .autoAssignment: "auto_assignment"
        case .autoClose: "auto_close"
        case .sla(let metric, let breach, _): "sla_\(breach ? "breach" : "warning")_\(metric.rawValue)"
        case .alertsRecovered: "alerts_recovered"
        case .alertFiredAgain: "alert_fired_again"
        }
    }

    /// The sentence in English.
    public var text: String {
        switch self {
        case .autoAssignment:
            return "auto-assignment"
        case .autoClose(let days):
            return "closed automatically: no reply \(days) days after the resolution"
        case .sla(let metric, let breach, let due):
            let name = metric == .timeToOwn ? "time to own" : "time to resolve"
            let when = due.formatted(.iso8601)
            return breach ? "\(name): target exceeded at \(when)" : "\(name): 75 % of the target used at \(when)"
        case .alertsRecovered(let at):
            return "every alert recovered, the last at \(at.formatted(.iso8601))"
        case .alertFiredAgain(let summary):
            return "an alert fired again: \(summary)"
        }
    }
}
