import Foundation

/// Guichet's own alert format, for the central antivirus console and any other sender: one object,
/// or an array of them.
///
///     {"source": "antivirus", "key": "infection:PC-B012-01", "status": "firing", "severity": "critical",
///      "ci": "PC-B012-01", "summary": "Infection found", "details": "...", "starts_at": "2026-12-03T10:31:00Z"}
public struct GuichetAlertPayload: Sendable, Decodable {
    public var source: String?
    public var key: String?
    public var status: String?
    public var severity: String?
    public var ci: String?
    public var host: String?
    public var labels: [String: String]?
    public var summary: String?
    public var details: String?
    public var startsAt: Date?
    public var endsAt: Date?

    enum CodingKeys: String, CodingKey {
        case source, key, status, severity, ci, host, labels, summary, details
        case startsAt = "starts_at"
        case endsAt = "ends_at"
    }

    /// The alerts of a body, or what is wrong with it; an alert without a start started `now`.
    public static func signals(from body: Data, now: Date) throws(AlertPayloadProblem) -> [AlertSignal] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let alerts: [GuichetAlertPayload]
        do {
            if body.first(where: { !" \n\r\t".utf8.contains($0) }) == UInt8(ascii: "[") {
                alerts = try decoder.decode([GuichetAlertPayload].self, from: body)
            } else {
                alerts = [try decoder.decode(GuichetAlertPayload.self, from: body)]
            }
        } catch {
            throw AlertPayloadProblem("body", "An alert is a JSON object (or an array of them) with source, key, status and summary: \(AlertmanagerPayload.reason(error)).")
        }
        guard !alerts.isEmpty else { throw AlertPayloadProblem("body", "The array holds no alert.") }
        return try alerts.enumerated().map { (index, alert) throws(AlertPayloadProblem) in
            let prefix = alerts.count > 1 ? "[\(index)]." : ""
            func required(_ value: String?, _ field: String, _ what: String) throws(AlertPayloadProblem) -> String {
                guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { throw AlertPayloadProblem(prefix + field, what) }
                guard value.count <= (field == "summary" ? 500 : 200) else { throw AlertPayloadProblem(prefix + field, "This is too long.") }
                return value
            }
            let source = try required(alert.source, "source", "Name the sender: \"antivirus\", \"backups\"...")
            guard !["alertmanager", "nagios"].contains(source.lowercased()) else {
                throw AlertPayloadProblem(prefix + "source", "'\(source)' sends to its own route (/api/v1/alerts/\(source.lowercased())).")
            }
            let key = try required(alert.key, "key", "Give the alert a key that stays the same while it fires and when it resolves.")
            guard let status = alert.status.flatMap(AlertSignal.Status.init(rawValue:)) else {
                throw AlertPayloadProblem(prefix + "status", "An alert's status is firing or resolved.")
            }
            var severity = AlertSignal.Severity.warning
            if let name = alert.severity {
                guard let known = AlertSignal.Severity(rawValue: name) else {
                    throw AlertPayloadProblem(prefix + "severity", "The severity is critical, warning or info.")
                }
                severity = known
            }
            let summary = try required(alert.summary, "summary", "Say in a line what is wrong.")
            if let details = alert.details, details.count > 20_000 { throw AlertPayloadProblem(prefix + "details", "The details are at most 20,000 characters.") }
            return AlertSignal(
                source: source, key: key, status: status, severity: severity, ci: alert.ci, hosts: alert.host.map { [AlertSignal.host(fromLabel: $0)] } ?? [],
                labels: alert.labels ?? [:], summary: summary, details: alert.details, startsAt: alert.startsAt ?? now, endsAt: alert.endsAt
            )
        }
    }
}
