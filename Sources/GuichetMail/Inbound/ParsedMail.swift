import Foundation

/// An incoming message as Guichet uses it: who, which thread, what was written, what came attached.
public struct ParsedMail: Sendable, Equatable {
    public struct Attachment: Sendable, Equatable {
        public var filename: String?
        public var contentType: String
        public var size: Int
    }

    /// Header fields in order, unfolded, names as sent.
    public var headers: [(name: String, value: String)]
    /// The text of the message: the first text/plain part, else the first text/html part as text.
    public var text: String
    public var attachments: [Attachment]
    /// Delivered with the null reverse-path (`MAIL FROM:<>`), which only automatic mail uses.
    public var nullSender = false

    public static func == (lhs: ParsedMail, rhs: ParsedMail) -> Bool {
        lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value) && lhs.text == rhs.text
            && lhs.attachments == rhs.attachments
    }

    /// The first field of that name (case-insensitive), raw.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The subject with its encoded words decoded and control characters removed.
    public var subject: String {
        HeaderEncoding.sanitized(EncodedWords.decode(header("Subject") ?? ""))
    }

    public var from: MailAddress? {
        header("From").flatMap(Self.address(in:))
    }

    /// Message-ID without its angle brackets.
    public var messageID: String? {
        header("Message-ID").flatMap { Self.identifiers(in: $0).first }
    }

    /// The ids this message answers: In-Reply-To first, then References from the newest.
    public var threadIDs: [String] {
        Self.identifiers(in: header("In-Reply-To") ?? "") + Self.identifiers(in: header("References") ?? "").reversed()
    }

    /// Sent by a machine (auto-reply, bounce, delivery report, read receipt, list, out-of-office):
    /// never answered, never a ticket, never a reply.
    public var isAutomatic: Bool {
        if nullSender { return true }
        if let auto = header("Auto-Submitted")?.lowercased().trimmingCharacters(in: .whitespaces), !auto.isEmpty, auto != "no" { return true }
        if let precedence = header("Precedence")?.lowercased(), ["bulk", "junk", "list", "auto_reply"].contains(where: precedence.contains) { return true }
        if header("X-Autoreply") != nil || header("X-Autorespond") != nil || header("List-Id") != nil { return true }
        if let returnPath = header("Return-Path"), returnPath.trimmingCharacters(in: .whitespaces) == "<>" { return true }
        // delivery status notifications, read receipts and feedback reports (RFC 6522, 3464, 8098)
        let type = MIMEParser.contentType(header("Content-Type")).type
        if type == "multipart/report" || type == "message/disposition-notification" || type == "message/delivery-status" { return true }
        let sender = from?.address.lowercased() ?? ""
        return sender.hasPrefix("mailer-daemon@") || sender.hasPrefix("postmaster@")
    }

    /// The address in `Name <address>` or a bare address.
    static func address(in value: String) -> MailAddress? {
        let decoded = EncodedWords.decode(value)
        if let open = decoded.lastIndex(of: "<"), let close = decoded[open...].firstIndex(of: ">") {
            let name = decoded[..<open].trimmingCharacters(in: CharacterSet(charactersIn: " \t\""))
            return MailAddress(String(decoded[decoded.index(after: open)..<close]), name: name.isEmpty ? nil : name)
        }
        return MailAddress(decoded.trimmingCharacters(in: .whitespaces))
    }

    /// Every `<id>` of a header value.
    static func identifiers(in value: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }
}
