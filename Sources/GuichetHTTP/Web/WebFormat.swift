import Foundation
import GuichetDomain
import GuichetServices

/// How values read on a page: in plain words of the visitor's language, dates in the service
/// centre's time zone.
enum WebFormat {
    static let timeZone = TimeZone(identifier: "Europe/Paris") ?? .current

    static func date(_ date: Date, in language: WebLanguage) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .shortened)
        style.timeZone = timeZone
        return date.formatted(style.locale(Locale(identifier: language == .fr ? "fr_FR" : "en_GB")))
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    static func status(_ status: TicketStatus, in language: WebLanguage) -> String { language.word("status_\(status.rawValue)") }

    static func urgency(_ urgency: Int, in language: WebLanguage) -> String { language.word("urgency_\(urgency)") }

    static func size(_ bytes: Int, in language: WebLanguage) -> String {
        if bytes < 1024 { return "\(bytes) \(language == .fr ? "o" : "B")" }
        if bytes < 1_048_576 { return "\(bytes / 1024) \(language == .fr ? "Ko" : "KB")" }
        return String(format: "%.1f %@", Double(bytes) / 1_048_576, language == .fr ? "Mo" : "MB")
    }

    /// A duration as a person says it: "2 h 05", "12 min", "3 j 4 h"; negative ones as overdue.
    static func duration(_ seconds: Double, in language: WebLanguage) -> String {
        let total = Int(abs(seconds).rounded())
        let (days, hours, minutes) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60)
        let text =
            if days > 0 {
                "\(days) \(language == .fr ? "j" : "d") \(hours) h"
            } else if hours > 0 {
                String(format: "%d h %02d", hours, minutes)
            } else {
                "\(minutes) min"
            }
        return seconds < 0 ? language.word("overdue_by") + " " + text : text
    }

    /// Why a stretch of an SLA clock's timeline counted or not (the domain says it in English).
    static func reason(_ reason: String, in language: WebLanguage) -> String {
        switch reason {
        case "open": return language.word("reason_open")
        case "paused: ticket pending": return language.word("reason_pending")
        case "outside opening hours": return language.word("reason_outside_hours")
        default:
            for (prefix, key) in [("public holiday: ", "reason_holiday"), ("closed: ", "reason_closure")] where reason.hasPrefix(prefix) {
                return language.word(key) + " " + reason.dropFirst(prefix.count)
            }
            return reason
        }
    }

    /// What is wrong with a file, in the page's language (the words name `{file}`, `{type}`, `{max}`).
    static func attachment(_ problem: AttachmentPolicy.Problem, in language: WebLanguage) -> String {
        let (key, values): (String, [String: String]) =
            switch problem {
            case .tooMany(let max): ("file_too_many", ["max": "\(max)"])
            case .empty(let file): ("file_empty", ["file": file])
            case .tooLarge(let file, let max): ("file_too_large", ["file": file, "max": "\(max)"])
            case .typeRefused(let file, let type): ("file_type_refused", ["file": file, "type": type])
            }
        return values.reduce(language.word(key)) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// Why Guichet changed a ticket, in the page's language (the words name `{days}`, `{at}` and `{summary}`).
    static func systemNote(_ note: SystemNote, in language: WebLanguage) -> String {
        let text = language.word("note_\(note.key)")
        switch note {
        case .autoAssignment: return text
        case .autoClose(let days): return text.replacingOccurrences(of: "{days}", with: "\(days)")
        case .sla(_, _, let due), .alertsRecovered(let due): return text.replacingOccurrences(of: "{at}", with: date(due, in: language))
        case .alertFiredAgain(let summary): return text.replacingOccurrences(of: "{summary}", with: summary)
        }
    }

    /// Who handles a ticket, in a sentence fragment.
    static func handler(_ ticket: TicketView, in language: WebLanguage) -> String {
        switch (ticket.team?.name, ticket.agent?.name) {
        case (_, .some(let agent)): agent + (ticket.team.map { " (\($0.name))" } ?? "")
        case (.some(let team), nil): team + " · " + language.word("no_agent_yet")
        case (nil, nil): language.word("not_assigned_yet")
        }
    }

    /// What a refusal means, for a page.
    static func describe(_ error: ServiceError, in language: WebLanguage) -> String {
        switch error {
        case .notFound: language.word("not_found_text")
        case .validation(let problems): problems.map(\.message).joined(separator: " ")
        case .forbidden(let why): why
        case .rule(let rule): rule.message
        case .versionMismatch: language.word("changed_meanwhile")
        case .idempotencyKeyReused: language.word("error_unexpected")
        case .conflict(let why): why
        case .signInFailed: language.word("sign_in_failed")
        case .tooManyAttempts: language.word("too_many_attempts")
        }
    }
}
