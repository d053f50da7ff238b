import Foundation

/// Prometheus Alertmanager's webhook notification (payload version 4): one group of alerts, each
/// read by its own status (a group is `firing` while any of its alerts is), the whole group sent
/// again at each repeat.
public struct AlertmanagerPayload: Sendable, Decodable {
    public struct Alert: Sendable, Decodable {
        public var status: String?
        public var labels: [String: String]?
        public var annotations: [String: String]?
        public var startsAt: Date?
        public var endsAt: Date?
        public var generatorURL: String?
        public var fingerprint: String?
    }

    public var version: String?
    public var groupKey: String?
    public var status: String?
    public var alerts: [Alert]?

    /// The alerts of a notification's body, or what is wrong with it.
    public static func signals(from body: Data) throws(AlertPayloadProblem) -> [AlertSignal] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let payload: AlertmanagerPayload
        do {
            payload = try decoder.decode(AlertmanagerPayload.self, from: body)
        } catch {
            throw AlertPayloadProblem("body", "This is not an Alertmanager webhook notification (a JSON object with version \"4\" and alerts): \(Self.reason(error)).")
        }
        guard payload.version == "4" else {
            throw AlertPayloadProblem("version", "Alertmanager's webhook payload version 4 is read; this one is \(payload.version.map { "\"\($0)\"" } ?? "missing").")
        }
        guard let alerts = payload.alerts, !alerts.isEmpty else { throw AlertPayloadProblem("alerts", "The notification holds no alert.") }
        var signals: [AlertSignal] = []
        for (index, alert) in alerts.enumerated() {
            let field = "alerts[\(index)]"
            guard let status = alert.status.flatMap(AlertSignal.Status.init(rawValue:)) else {
                throw AlertPayloadProblem("\(field).status", "An alert's status is firing or resolved.")
            }
            guard let labels = alert.labels, !labels.isEmpty else { throw AlertPayloadProblem("\(field).labels", "An alert has labels.") }
            guard let fingerprint = alert.fingerprint, !fingerprint.isEmpty else {
                throw AlertPayloadProblem("\(field).fingerprint", "An alert has the fingerprint Alertmanager gives it.")
            }
            guard let startsAt = alert.startsAt else { throw AlertPayloadProblem("\(field).startsAt", "An alert says when it started.") }
            let annotations = alert.annotations ?? [:]
            // Alertmanager's zero time ends a firing alert: no end yet
            let endsAt = alert.endsAt.flatMap { $0.timeIntervalSince1970 > 0 ? $0 : nil }
            let details = [annotations["description"], alert.generatorURL].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: "\n")
            signals.append(
                AlertSignal(
                    source: "alertmanager", key: fingerprint, status: status, severity: Self.severity(labels["severity"]), ci: labels["ci"],
                    hosts: ["instance", "host", "hostname"].compactMap { labels[$0] }.map(AlertSignal.host(fromLabel:)), labels: labels,
                    summary: annotations["summary"] ?? annotations["description"] ?? labels["alertname"] ?? fingerprint,
                    details: details.isEmpty ? nil : details, startsAt: startsAt, endsAt: endsAt
                )
            )
        }
        return signals
    }

    /// A `severity` label as Prometheus rules write it: critical (or page, error), info (or none), else warning.
    static func severity(_ label: String?) -> AlertSignal.Severity {
        switch label?.lowercased() {
        case "critical", "page", "error", "disaster", "high": .critical
        case "info", "informational", "none", "low": .info
        default: .warning
        }
    }

    /// What a decoding error says, without the decoder's internals.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "it is not JSON" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "it is not a JSON object" : "\(path.hasPrefix(".") ? String(path.dropFirst()) : path) has the wrong type or form"
        @unknown default:
            return "it cannot be read"
        }
    }
}
