import Foundation

/// The words of each notification, in French and in English, as plain text and as HTML. Every value
/// that comes from a ticket or a person is escaped in the HTML.
enum NotificationTemplates {
    static func render(_ kind: NotificationKind, locale: String, facts: NotificationFacts) -> NotificationContent {
        let english = locale == "en"
        let (headline, paragraphs) = english ? Self.english(kind, facts) : Self.french(kind, facts)
        let greeting = english ? "Hello \(facts.recipientName)," : "Bonjour \(facts.recipientName),"
        let replyHint =
            kind == .assignedToYou || kind.isForStaff
            ? nil
            : english
                ? "Reply to this message to add to your request; keep \(facts.ref) in the subject."
                : "Répondez à ce message pour compléter votre demande ; gardez \(facts.ref) dans l'objet."
        let linkLine = facts.link.map { english ? "Follow it online: \($0)" : "Suivez-la en ligne : \($0)" }
        let signature = english ? "The service centre" : "Le centre de services"
        let subject = "[\(facts.ref)] \(facts.title) - \(headline)"

        var text = [greeting, ""] + paragraphs.flatMap { [$0, ""] }
        if let linkLine { text += [linkLine, ""] }
        if let replyHint { text += [replyHint, ""] }
        text += ["-- ", signature]

        var html = ["<!doctype html>", "<html lang=\"\(english ? "en" : "fr")\"><body style=\"font-family: sans-serif\">"]
        html.append("<p>\(escape(greeting))</p>")
        html += paragraphs.map { "<p>\(escape($0).replacingOccurrences(of: "\n", with: "<br>"))</p>" }
        if let link = facts.link {
            html.append("<p><a href=\"\(escape(link))\">\(escape(english ? "Follow your request online" : "Suivre la demande en ligne"))</a></p>")
        }
        if let replyHint { html.append("<p style=\"color: #555\">\(escape(replyHint))</p>") }
        html += ["<p>-- <br>\(escape(signature))</p>", "</body></html>"]
        return NotificationContent(subject: subject, text: text.joined(separator: "\n"), html: html.joined(separator: "\n"))
    }

    private static func french(_ kind: NotificationKind, _ facts: NotificationFacts) -> (String, [String]) {
        let ticket = "\(facts.ref) « \(facts.title) »"
        switch kind {
        case .created:
            return ("demande enregistrée", ["Votre demande \(ticket) est enregistrée sous la référence \(facts.ref)."])
        case .taken:
            return ("prise en charge", ["\(facts.agentName ?? "Un technicien") prend en charge votre demande \(ticket)."])
        case .assignedToYou:
            return ("vous est attribuée", ["La demande \(ticket) vous est attribuée."])
        case .pending:
            return ("information demandée", ["Pour avancer sur votre demande \(ticket), nous avons besoin de vous :", facts.detail ?? ""])
        case .reply:
            return ("nouvelle réponse", ["Le centre de services a répondu à votre demande \(ticket) :", facts.detail ?? ""])
        case .resolved:
            return (
                "résolue",
                [
                    "Votre demande \(ticket) est résolue.", "Solution : \(facts.detail ?? "")",
                    "Si le problème persiste, répondez à ce message : la demande sera rouverte.",
                ]
            )
        case .closed:
            return ("clôturée", ["Votre demande \(ticket) est clôturée. Merci de votre confiance."])
        case .ownershipWarning:
            return ("SLA : prise en charge bientôt dépassée", ["75 % du délai de prise en charge de \(ticket) est écoulé et personne ne l'a prise.", facts.detail ?? ""])
        case .ownershipBreached:
            return ("SLA : prise en charge dépassée", ["Le délai de prise en charge de \(ticket) est dépassé ; le ticket est signalé.", facts.detail ?? ""])
        case .resolutionBreached:
            return ("SLA : résolution dépassée", ["Le délai de résolution de \(ticket) est dépassé.", facts.detail ?? ""])
        case .criticalOpened:
            return ("incident critique", ["Un incident critique (P1) vient d'être ouvert : \(ticket). Vous êtes d'astreinte."])
        }
    }

    private static func english(_ kind: NotificationKind, _ facts: NotificationFacts) -> (String, [String]) {
        let ticket = "\(facts.ref) \"\(facts.title)\""
        switch kind {
        case .created:
            return ("request recorded", ["Your request \(ticket) is recorded under the reference \(facts.ref)."])
        case .taken:
            return ("taken in charge", ["\(facts.agentName ?? "A technician") is now working on your request \(ticket)."])
        case .assignedToYou:
            return ("assigned to you", ["The request \(ticket) is assigned to you."])
        case .pending:
            return ("information needed", ["To move on with your request \(ticket), we need something from you:", facts.detail ?? ""])
        case .reply:
            return ("new reply", ["The service centre replied to your request \(ticket):", facts.detail ?? ""])
        case .resolved:
            return (
                "resolved",
                [
                    "Your request \(ticket) is resolved.", "Solution: \(facts.detail ?? "")",
                    "If the problem persists, reply to this message and the request will be reopened.",
                ]
            )
        case .closed:
            return ("closed", ["Your request \(ticket) is closed. Thank you."])
        case .ownershipWarning:
            return ("SLA: time to own nearly used", ["75 % of the time to own \(ticket) is used and nobody took it.", facts.detail ?? ""])
        case .ownershipBreached:
            return ("SLA: time to own exceeded", ["The time to own \(ticket) is exceeded; the ticket is flagged.", facts.detail ?? ""])
        case .resolutionBreached:
            return ("SLA: time to resolve exceeded", ["The time to resolve \(ticket) is exceeded.", facts.detail ?? ""])
        case .criticalOpened:
            return ("critical incident", ["A critical incident (P1) was just opened: \(ticket). You are on call."])
        }
    }

    /// The answer to mail from an address nobody in the directory uses, in French and English.
    static func unknownSender(subject: String) -> NotificationContent {
        let french = [
            "Bonjour,", "",
            "Votre message « \(subject) » n'a pas été enregistré : votre adresse n'est pas connue du centre de services.",
            "Écrivez depuis l'adresse de votre établissement, ou adressez-vous au correspondant informatique de votre établissement.", "",
        ]
        let english = [
            "Hello,", "", "Your message \"\(subject)\" was not recorded: your address is not known to the service centre.",
            "Please write from your school address, or ask your school's IT correspondent.", "", "-- ", "Le centre de services / The service centre",
        ]
        let text = (french + english).joined(separator: "\n")
        let html = "<!doctype html>\n<html><body style=\"font-family: sans-serif\">"
            + (french + english).filter { !$0.isEmpty }.map { "<p>\(escape($0))</p>" }.joined(separator: "\n") + "</body></html>"
        return NotificationContent(subject: "Message non enregistré / Message not recorded", text: text, html: html)
    }

    /// The message with a password reset link, in the recipient's language.
    static func passwordReset(name: String, link: String, minutes: Int, locale: String) -> NotificationContent {
        let lines =
            locale == "en"
            ? [
                "Hello \(name),", "", "Someone (you, we hope) asked to choose a new password for your Guichet account.",
                "Follow this link within \(minutes) minutes; it works once:", link, "",
                "If you did not ask, ignore this message: your password stays as it is.", "", "-- ", "The service centre",
            ]
            : [
                "Bonjour \(name),", "", "Quelqu'un (vous, nous l'espérons) a demandé à choisir un nouveau mot de passe pour votre compte Guichet.",
                "Suivez ce lien dans les \(minutes) minutes ; il ne sert qu'une fois :", link, "",
                "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.", "", "-- ", "Le centre de services",
            ]
        let html = "<!doctype html>\n<html><body style=\"font-family: sans-serif\">"
            + lines.filter { !$0.isEmpty }.map { $0 == link ? "<p><a href=\"\(escape(link))\">\(escape(link))</a></p>" : "<p>\(escape($0))</p>" }
                .joined(separator: "\n") + "</body></html>"
        return NotificationContent(
            subject: locale == "en" ? "Choose a new password" : "Choisir un nouveau mot de passe", text: lines.joined(separator: "\n"), html: html
        )
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
