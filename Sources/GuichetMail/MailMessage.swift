import Foundation

/// An outgoing message: plain text and HTML alternatives, threading headers, rendered as RFC 5322.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    /// Without angle brackets: `ticket-I-000123.42@guichet.example`.
    public var messageID: String
    public var inReplyTo: String?
    public var references: [String]
    public var text: String
    public var html: String?
    public var date: Date

    public init(
        from: MailAddress, to: [MailAddress], subject: String, messageID: String, inReplyTo: String? = nil, references: [String] = [],
        text: String, html: String? = nil, date: Date = Date()
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.text = text
        self.html = html
        self.date = date
    }

    /// The message as it goes after DATA (before dot-stuffing), lines ending in CRLF.
    public func rendered() -> String {
        var headers = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(from.header)",
            "To: \(to.map(\.header).joined(separator: ",\r\n "))",
            "Subject: \(HeaderEncoding.text(subject))",
            "Message-ID: <\(Self.identifier(messageID))>",
        ]
        if let inReplyTo { headers.append("In-Reply-To: <\(Self.identifier(inReplyTo))>") }
        if !references.isEmpty { headers.append("References: \(references.map { "<\(Self.identifier($0))>" }.joined(separator: "\r\n "))") }
        // mail sent by Guichet itself: responders must not answer it, and Guichet recognises its own mail coming back
        headers += ["Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All", "MIME-Version: 1.0"]
        let textPart = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", QuotedPrintable.encode(text)]
        guard let html else {
            return (headers + textPart).joined(separator: "\r\n") + "\r\n"
        }
        let boundary = "guichet-\(Self.identifier(messageID).utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })"
        let htmlPart = ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", QuotedPrintable.encode(html)]
        let body = ["--\(boundary)"] + textPart + ["--\(boundary)"] + htmlPart + ["--\(boundary)--"]
        return (headers + ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", ""] + body).joined(separator: "\r\n") + "\r\n"
    }

    /// A message id reduced to the characters an id may hold.
    static func identifier(_ id: String) -> String {
        String(id.unicodeScalars.filter { $0.isASCII && $0.value > 32 && $0.value < 127 && $0 != "<" && $0 != ">" }.map(Character.init))
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
