import Foundation
import GuichetDomain
import GuichetStore

/// The incident monitoring opens for an alert: an establishment's router, core switch or firewall
/// down is its whole network down (impact 1); another network device, a server or a service
/// touches many (impact 2); the rest one place (impact 3). The urgency is the alert's severity's.
struct MonitoringIncident {
    /// The resolution code of an incident closed by its alerts' recovery.
    static let recoveredCode = "recovered"

    let signal: AlertSignal
    let ci: AlertCI?

    /// An establishment's router, core switch or firewall: when it is down, its whole network is.
    static func isSiteRoot(_ ci: AlertCI) -> Bool {
        ci.establishmentID != nil && [.router, .coreSwitch, .firewall].contains(ci.ciClass)
    }

    var impact: Int {
        switch ci?.ciClass {
        case .router?, .coreSwitch?, .firewall?: 1
        case let ciClass? where [.network, .server, .service].contains(ciClass.family): 2
        default: 3
        }
    }

    var title: String {
        guard let ci else { return String(signal.summary.prefix(200)) }
        if impact == 1, ci.ciClass.family == .network, let establishment = ci.establishmentName {
            return String("Réseau coupé : \(establishment)".prefix(200))
        }
        return String("\(signal.summary) — \(ci.name)".prefix(200))
    }

    var description: String {
        var lines = ["Ouvert par la supervision (\(signal.source)) : \(signal.summary)"]
        if let details = signal.details, !details.isEmpty { lines.append(details) }
        if ci == nil {
            lines.append("Aucun équipement de la CMDB ne correspond à cette alerte (\(signal.hosts.isEmpty ? "aucun hôte nommé" : signal.hosts.joined(separator: ", "))).")
        }
        return String(lines.joined(separator: "\n\n").prefix(20_000))
    }

    var request: OpenTicketRequest {
        var request = OpenTicketRequest(
            kind: .incident, title: title, description: description, impact: impact, urgency: signal.severity.urgency,
            establishment: ci?.establishmentID.map(String.init), origin: .monitoring
        )
        request.cis = ci.map { [$0.id] }
        return request
    }

    static func mergedText(_ ref: String, alerts: Int) -> String {
        "L'incident \(ref) a été fusionné dans celui-ci : \(alerts) alerte\(alerts > 1 ? "s" : "") et ses équipements l'ont rejoint."
    }

    static func mergedIntoText(_ ref: String) -> String { "Fusionné dans l'incident \(ref), qui le suit désormais." }

    static func splitText(_ ref: String, alerts: Int) -> String {
        "Alertes séparées de cet incident (\(alerts)) : l'incident \(ref) les suit désormais."
    }

    static func splitFromText(_ ref: String) -> String { "Séparé de l'incident \(ref) avec ses alertes." }

    /// What an incident's agent reads when one of its alerts starts flapping.
    static func flappingText(summary: String, changes: Int?) -> String {
        let how = changes.map { "\($0) changements d'état en \(Int(AlertService.flapWindow / 60)) minutes" } ?? "signalée par la supervision"
        return "Alerte instable (\(how)) : \(summary). L'incident ne suit plus cette alerte, ni pour se résoudre ni pour se rouvrir, "
            + "jusqu'à ce qu'elle se stabilise."
    }

    /// What an incident's agent reads when a flapping alert has settled.
    static func settledText(summary: String, status: AlertSignal.Status) -> String {
        "Alerte stabilisée, \(status == .firing ? "toujours en alerte" : "rétablie") : \(summary). L'incident suit de nouveau cette alerte."
    }

    /// What an incident's agent and history read once every alert has recovered.
    static func recoveredText(at time: Date) -> String {
        let format = Date.FormatStyle(date: .numeric, time: .shortened, timeZone: TimeZone(identifier: "Europe/Paris") ?? .gmt)
            .locale(Locale(identifier: "fr_FR"))
        return "Toutes les alertes de cet incident sont rétablies (la dernière le \(time.formatted(format)), heure de Paris)."
    }
}
