import Foundation

/// What someone wrote in a reply, without the message they answered nor their signature.
public enum ReplyText {
    /// Lines that open the quoted original in the usual mail programs (French and English).
    private static let quoteOpeners = [
        "^le .+ a écrit ?:$", "^on .+ wrote:$", "^-+ ?(original message|message d'origine|message original) ?-+$",
        "^de ?: .+", "^from: .+", "^envoyé ?: .+", "^sent: .+",
    ]

    public static func trimmed(_ text: String) -> String {
        var kept: [String] = []
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "--" || trimmed == "-- " || line == "-- " { break }  // signature delimiter
            if quoteOpeners.contains(where: { trimmed.lowercased().range(of: $0, options: .regularExpression) != nil }) { break }
            if trimmed.hasPrefix(">") { continue }
            kept.append(String(line))
        }
        while let last = kept.last, last.trimmingCharacters(in: .whitespaces).isEmpty { kept.removeLast() }
        while let first = kept.first, first.trimmingCharacters(in: .whitespaces).isEmpty { kept.removeFirst() }
        return kept.joined(separator: "\n")
    }
}
