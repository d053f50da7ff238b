import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The answer of a CAS server to `serviceValidate` (CAS protocol 2 and 3): the user and their
/// attributes, or why the ticket was refused.
public enum CASResponse: Sendable, Equatable {
    case success(user: String, attributes: [String: String])
    case failure(code: String, message: String)

    /// Parses the XML answer, namespace-aware (`cas:` is the usual prefix, not a rule).
    public static func parse(_ data: Data) -> CASResponse? {
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse() else { return nil }
        if let code = reader.failureCode { return .failure(code: code, message: reader.failureMessage.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard let user = reader.user?.trimmingCharacters(in: .whitespacesAndNewlines), !user.isEmpty else { return nil }
        return .success(user: user, attributes: reader.attributes)
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var path: [String] = []
        var text = ""
        var user: String?
        var attributes: [String: String] = [:]
        var failureCode: String?
        var failureMessage = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            path.append(name)
            text = ""
            if name == "authenticationFailure" { failureCode = attributes["code"] ?? "UNKNOWN" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "user" && path.count >= 2 && path[path.count - 2] == "authenticationSuccess" {
                user = text
            } else if path.dropLast().last == "attributes" && attributes[name] == nil {
                attributes[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
            } else if name == "authenticationFailure" {
                failureMessage = text
            }
            path.removeLast()
            text = ""
        }
    }
}
