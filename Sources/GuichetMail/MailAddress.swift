import Foundation

/// An e-mail address with an optional display name. The address itself is checked so that it can
/// never carry anything but an address into a header or an SMTP command.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    public let address: String
    public let name: String?

    public init?(_ address: String, name: String? = nil) {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        let forbidden = Set("<>()[]\\,;:\" ".unicodeScalars)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, trimmed.utf8.count <= 254,
            trimmed.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && !forbidden.contains($0) })
        else { return nil }
        self.address = trimmed
        self.name = name
    }

    /// `Name <address>` for a header, the name quoted or encoded as it needs.
    public var header: String {
        guard let name, !HeaderEncoding.sanitized(name).isEmpty else { return "<\(address)>" }
        return "\(HeaderEncoding.phrase(name)) <\(address)>"
    }

    public var description: String { header }

    public var domain: String { String(address.split(separator: "@").last ?? "") }
}
