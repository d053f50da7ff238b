import Foundation
import Hummingbird

/// The languages of the pages: French first, English available. Each page's words come from
/// `Resources/Locales/<code>.json`, so that a translator touches no code.
enum WebLanguage: String, CaseIterable, Sendable {
    case fr
    case en

    static let cookie = "guichet_lang"

    /// The words of each language, read once.
    static let strings: [WebLanguage: [String: String]] = Dictionary(
        uniqueKeysWithValues: allCases.map { language in
            let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json", subdirectory: "Resources/Locales")
            let words = url.flatMap { try? Data(contentsOf: $0) }.flatMap { try? JSONDecoder().decode([String: String].self, from: $0) }
            return (language, words ?? [:])
        }
    )

    var words: [String: String] { Self.strings[self] ?? [:] }

    /// A word of this language, the French one when missing, the key itself as a last resort.
    func word(_ key: String) -> String { words[key] ?? Self.fr.words[key] ?? key }

    /// The chosen language: the cookie set by the language switch, then the person's own, then
    /// the browser's first preference among ours, then French.
    static func of(_ request: Request, personLocale: String?) -> WebLanguage {
        if let chosen = request.cookies[cookie].flatMap({ WebLanguage(rawValue: $0.value) }) { return chosen }
        if let own = personLocale.flatMap(WebLanguage.init(rawValue:)) { return own }
        let accepted = (request.headers[.acceptLanguage] ?? "").split(separator: ",").map {
            $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).prefix(2).lowercased() } ?? ""
        }
        return accepted.lazy.compactMap(WebLanguage.init(rawValue:)).first ?? .fr
    }
}
