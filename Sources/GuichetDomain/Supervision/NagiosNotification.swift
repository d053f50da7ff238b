import Foundation

/// A Nagios or Centreon Engine notification as its notification command sends it, as form fields
/// (`curl --data-urlencode`) or a JSON object, one field per macro:
///
///     type=$NOTIFICATIONTYPE$  host=$HOSTNAME$  address=$HOSTADDRESS$  service=$SERVICEDESC$
///     state=$SERVICESTATE$ (or $HOSTSTATE$)  state_type=$SERVICESTATETYPE$
///     problem_id=$SERVICEPROBLEMID$  last_problem_id=$LASTSERVICEPROBLEMID$  output=$SERVICEOUTPUT$
///     time=$TIMET$  author=$NOTIFICATIONAUTHOR$  comment=$NOTIFICATIONCOMMENT$
///
/// A problem is one occurrence of its host or service alert, named by its problem id (which Nagios
/// sets to 0 on recovery, keeping it in the last problem id).
public enum NagiosNotification {
    public static let types = [
        "PROBLEM", "RECOVERY", "ACKNOWLEDGEMENT", "FLAPPINGSTART", "FLAPPINGSTOP", "FLAPPINGDISABLED", "DOWNTIMESTART", "DOWNTIMEEND",
        "DOWNTIMECANCELLED", "CUSTOM",
    ]
    static let hostStates = ["UP", "DOWN", "UNREACHABLE"]
    static let serviceStates = ["OK", "WARNING", "CRITICAL", "UNKNOWN"]

    /// The alert a notification tells of: none for a soft problem (Nagios is still checking) and
    /// for a custom notification.
    public static func signals(from body: Data, now: Date) throws(AlertPayloadProblem) -> [AlertSignal] {
        try signal(fields(of: body), now: now).map { [$0] } ?? []
    }

    static func signal(_ fields: [String: String], now: Date) throws(AlertPayloadProblem) -> AlertSignal? {
        func field(_ name: String) -> String? {
            fields[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let type = field("type")?.uppercased() else {
            throw AlertPayloadProblem("type", "Send the notification type ($NOTIFICATIONTYPE$): \(types.joined(separator: ", ")).")
        }
        guard types.contains(type) else { throw AlertPayloadProblem("type", "'\(type)' is not a Nagios notification type: \(types.joined(separator: ", ")).") }
        guard let host = field("host") else { throw AlertPayloadProblem("host", "Send the host's name ($HOSTNAME$).") }
        guard host.count <= 200 else { throw AlertPayloadProblem("host", "This is too long.") }
        let service = field("service")
        var time = now
        if let text = field("time") {
            guard let seconds = Double(text), seconds > 0 else { throw AlertPayloadProblem("time", "The time is $TIMET$: seconds since 1970.") }
            time = Date(timeIntervalSince1970: seconds)
        }
        let states = service == nil ? hostStates : serviceStates
        let state = field("state")?.uppercased()
        if let state, !states.contains(state) {
            throw AlertPayloadProblem("state", "A \(service == nil ? "host" : "service")'s state is \(states.joined(separator: ", ")).")
        }
        let stateType = field("state_type")?.uppercased()
        if let stateType, !["HARD", "SOFT"].contains(stateType) { throw AlertPayloadProblem("state_type", "The state type is HARD or SOFT.") }
        let problem = [field("problem_id"), field("last_problem_id")].compactMap { $0 }.first { $0 != "0" }
        let status: AlertSignal.Status
        var acknowledgement: String?
        var downtime: AlertSignal.Downtime?
        var flapping: AlertSignal.Flapping?
        switch type {
        case "PROBLEM":
            guard let state else { throw AlertPayloadProblem("state", "A problem has a state: \(states.joined(separator: ", ")).") }
            if stateType == "SOFT" || state == "UP" || state == "OK" { return nil }
            status = .firing
        case "RECOVERY":
            status = .resolved
        case "ACKNOWLEDGEMENT":
            status = .firing
            let who = field("author") ?? "?"
            acknowledgement = "Acquitté dans la supervision par \(who)" + (field("comment").map { " : \($0)" } ?? ".")
        case "DOWNTIMESTART":
            status = .firing
            let who = field("author") ?? "?"
            downtime = .started(reason: String(("Maintenance déclarée dans la supervision par \(who)" + (field("comment").map { " : \($0)" } ?? ".")).prefix(500)))
        case "FLAPPINGSTART":
            status = .firing
            flapping = .started
        case "FLAPPINGSTOP", "FLAPPINGDISABLED":
            status = .firing
            flapping = .stopped
        case "DOWNTIMEEND", "DOWNTIMECANCELLED":
            status = .resolved
            downtime = .ended
        default:
            return nil
        }
        let name = service.map { "\($0) sur \(host)" } ?? host
        let summary = field("output").map { "\(name) : \($0)" } ?? "\(name) : \(state ?? type)"
        return AlertSignal(
            source: "nagios", key: service.map { "service:\(host)/\($0)" } ?? "host:\(host)", status: status,
            severity: ["CRITICAL", "DOWN", "UNREACHABLE"].contains(state ?? "") || state == nil ? .critical : .warning,
            hosts: [host] + (field("address").map { [$0] } ?? []), labels: fields.filter { !$0.value.isEmpty }, summary: String(summary.prefix(500)),
            startsAt: time, endsAt: status == .resolved ? time : nil, occurrence: problem.map { "problem:\($0)" } ?? "time:\(Int(time.timeIntervalSince1970))",
            acknowledgement: acknowledgement, downtime: downtime, flapping: flapping
        )
    }

    /// The fields of a JSON object (strings or numbers) or of form fields.
    static func fields(of body: Data) throws(AlertPayloadProblem) -> [String: String] {
        if body.first(where: { !" \n\r\t".utf8.contains($0) }) == UInt8(ascii: "{") {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw AlertPayloadProblem("body", "The notification is not a JSON object of the notification's fields.")
            }
            var fields: [String: String] = [:]
            for (name, value) in object {
                switch value {
                case let text as String: fields[name] = text
                case let number as NSNumber: fields[name] = number.stringValue
                case is NSNull: continue
                default: throw AlertPayloadProblem(name, "A field is a string or a number.")
                }
            }
            return fields
        }
        guard let text = String(data: body, encoding: .utf8) else { throw AlertPayloadProblem("body", "The notification is not UTF-8 text.") }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decoded(parts[0]), let value = parts.count > 1 ? decoded(parts[1]) : "" else {
                throw AlertPayloadProblem("body", "The form fields are not URL-encoded.")
            }
            fields[name] = value
        }
        guard !fields.isEmpty else { throw AlertPayloadProblem("body", "The notification has no field.") }
        return fields
    }
}
