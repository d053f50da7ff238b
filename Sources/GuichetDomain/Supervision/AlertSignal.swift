import Foundation

/// One alert as a monitoring notification tells of it, whatever the format it came in: its
/// identity (source and key), its state, and what to find its CI by.
public struct AlertSignal: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case firing, resolved
    }

    /// `critical` opens an incident that stops work (urgency 1); `warning` and `info` less so.
    public enum Severity: String, Sendable, Codable, CaseIterable {
        case critical, warning, info

        /// The incident's urgency: 1 (work stopped) to 3.
        public var urgency: Int {
            switch self {
            case .critical: 1
            case .warning: 2
            case .info: 3
            }
        }
    }

    /// `alertmanager`, `nagios`, or the name a sender gives itself (`antivirus`).
    public var source: String
    /// The alert's identity within its source: a fingerprint, a host and service, a sender's key.
    public var key: String
    public var status: Status
    public var severity: Severity
    /// The CI named by the sender: an id or a name.
    public var ci: String?
    /// The host names or addresses the CI may be found by when `ci` is not given, in order.
    public var hosts: [String]
    public var labels: [String: String]
    public var summary: String
    public var details: String?
    /// When this occurrence started (for Nagios, when its problem was notified).
    public var startsAt: Date
    public var endsAt: Date?
    /// Which occurrence of the alert this is: its start, or Nagios's problem id. A repeat of the same
    /// status for the same occurrence is a replay.
    public var occurrence: String
    /// Someone acknowledged the problem in the monitoring tool (who, and what they wrote): not a
    /// change of state, a note for the incident's agent.
    public var acknowledgement: String?
    /// A downtime of the alert's host or service began (why) or ended in the monitoring tool: not a
    /// change of state, a maintenance window.
    public var downtime: Downtime?

    /// The monitoring tool saw the alert start or stop flapping: not a change of state.
    public var flapping: Flapping?

    public enum Flapping: String, Sendable, Equatable, Codable {
        case started, stopped
    }

    public enum Downtime: Sendable, Equatable, Codable {
        case started(reason: String)
        case ended
    }

    public init(
        source: String, key: String, status: Status, severity: Severity, ci: String? = nil, hosts: [String] = [],
        labels: [String: String] = [:], summary: String, details: String? = nil, startsAt: Date, endsAt: Date? = nil,
        occurrence: String? = nil, acknowledgement: String? = nil, downtime: Downtime? = nil, flapping: Flapping? = nil
    ) {
        self.source = source
        self.key = key
        self.status = status
        self.severity = severity
        self.ci = ci
        self.hosts = hosts
        self.labels = labels
        self.summary = summary
        self.details = details
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.occurrence = occurrence ?? startsAt.formatted(.iso8601)
        self.acknowledgement = acknowledgement
        self.downtime = downtime
        self.flapping = flapping
    }

    /// A host name as a label carries it, without the port an exporter adds (`srv1:9100`) or the
    /// brackets of an IPv6 address.
    public static func host(fromLabel value: String) -> String {
        var host = value.trimmingCharacters(in: .whitespaces)
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") { return String(host[host.index(after: host.startIndex)..<end]) }
        if host.filter({ $0 == ":" }).count == 1, let colon = host.lastIndex(of: ":"), host[host.index(after: colon)...].allSatisfy(\.isNumber) {
            host = String(host[..<colon])
        }
        return host
    }
}

/// Why a notification cannot be read: the field, and what is wrong with it.
public struct AlertPayloadProblem: Error, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}
