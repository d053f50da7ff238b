import Foundation
import Testing

@testable import GuichetMail

/// Decodes `=?UTF-8?B?...?=` words back to text, as a mail reader would.
func decodeEncodedWords(_ header: String) -> String {
    header.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "?=").compactMap { part -> String? in
        guard let start = part.range(of: "=?UTF-8?B?") else { return part.isEmpty ? nil : part }
        return String(decoding: Data(base64Encoded: String(part[start.upperBound...])) ?? Data(), as: UTF8.self)
    }.joined()
}

/// Decodes quoted-printable, as a mail reader would.
func decodeQuotedPrintable(_ text: String) -> String {
    var bytes: [UInt8] = []
    let joined = text.replacingOccurrences(of: "=\r\n", with: "")
    var index = joined.utf8.startIndex
    let utf8 = joined.utf8
    while index < utf8.endIndex {
        let byte = utf8[index]
        if byte == UInt8(ascii: "="), let end = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex),
            let value = UInt8(String(decoding: utf8[utf8.index(after: index)..<end], as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            index = end
        } else {
            bytes.append(byte)
            index = utf8.index(after: index)
        }
    }
    return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
}

func message(subject: String = "Écran noir en salle 12", text: String = "Bonjour", name: String = "Claire Fontaine") -> MailMessage {
    MailMessage(
        from: MailAddress("guichet@recia.example", name: "Guichet")!, to: [MailAddress("claire@ecole.example", name: name)!], subject: subject,
        messageID: "ticket-I-000123.1@recia.example", inReplyTo: "ticket-I-000123@recia.example", references: ["ticket-I-000123@recia.example"],
        text: text, html: "<p>\(text)</p>", date: Date(timeIntervalSince1970: 1_800_000_000)
    )
}

func headers(of rendered: String) -> [String] {
    let head = rendered.components(separatedBy: "\r\n\r\n")[0]
    return head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
}

@Suite("Outgoing messages")
struct MailMessageTests {
    @Test("a CR or LF in a subject or a name never starts a header of its own")
    func headerInjection() {
        let rendered = message(subject: "Panne\r\nBcc: everyone@victim.example", name: "Eve\nX-Evil: yes").rendered()
        let lines = headers(of: rendered)
        #expect(!lines.contains { $0.hasPrefix("Bcc:") })
        #expect(!lines.contains { $0.hasPrefix("X-Evil:") })
        #expect(lines.contains("Subject: Panne Bcc: everyone@victim.example"))
    }

    @Test("addresses that could smuggle SMTP commands or headers are refused")
    func addresses() {
        #expect(MailAddress("claire@ecole.example") != nil)
        #expect(MailAddress("claire@ecole.example>\r\nRCPT TO:<x@y") == nil)
        #expect(MailAddress("no-at-sign") == nil)
        #expect(MailAddress("two@at@signs") == nil)
        #expect(MailAddress("spaces in@side.example") == nil)
        #expect(MailAddress("claire@ecole.example", name: "Claire \"la\" Fontaine")!.header == #""Claire \"la\" Fontaine" <claire@ecole.example>"#)
    }

    @Test("a subject in French travels as UTF-8 encoded words of at most 75 characters and reads back the same")
    func encodedWords() throws {
        let subject = "[I-000123] Écran noir en salle 12 : le vidéoprojecteur ne démarre plus depuis lundi matin"
        let lines = headers(of: message(subject: subject).rendered())
        let header = try #require(lines.first { $0.hasPrefix("Subject: ") })
        #expect(header.contains("=?UTF-8?B?"))
        #expect(decodeEncodedWords(String(header.dropFirst("Subject: ".count))).replacingOccurrences(of: " ", with: "") == subject.replacingOccurrences(of: " ", with: ""))
        let folded = message(subject: subject).rendered().components(separatedBy: "\r\n")
        #expect(folded.allSatisfy { $0.count <= 998 })
        #expect(folded.filter { $0.contains("=?UTF-8?B?") }.allSatisfy { $0.trimmingCharacters(in: .whitespaces).count <= 84 })
    }

    @Test("bodies are quoted-printable: ASCII lines of at most 76 characters that decode to the text")
    func quotedPrintable() {
        let text = "Réponse : " + String(repeating: "é", count: 200) + "\nfin = 1 \n.point"
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 && $0.unicodeScalars.allSatisfy(\.isASCII) })
        #expect(decodeQuotedPrintable(encoded) == text)
    }

    @Test("threading headers name the ticket's thread, and the message is multipart text and HTML")
    func threading() {
        let rendered = message().rendered()
        let lines = headers(of: rendered)
        #expect(lines.contains("Message-ID: <ticket-I-000123.1@recia.example>"))
        #expect(lines.contains("In-Reply-To: <ticket-I-000123@recia.example>"))
        #expect(lines.contains("References: <ticket-I-000123@recia.example>"))
        #expect(lines.contains("Auto-Submitted: auto-generated"))
        #expect(lines.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000"))
        #expect(rendered.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(rendered.contains("Content-Type: text/html; charset=utf-8"))
    }

    @Test("DATA content is dot-stuffed: no line of the message can end the transfer")
    func dotStuffing() {
        #expect(SMTPClient.dotStuffed(".first\r\nmiddle\r\n.\r\nlast") == "..first\r\nmiddle\r\n..\r\nlast\r\n")
    }

    @Test("SMTP URLs give host, port, credentials and TLS; other schemes are refused with a reason")
    func configuration() throws {
        let configuration = try SMTPConfiguration(url: "smtp://relay%40recia:s%3Dcret@127.0.0.1:2525")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 2525)
        #expect(configuration.username == "relay@recia")
        #expect(configuration.password == "s=cret")
        #expect(configuration.security == .opportunistic)
        #expect(try SMTPConfiguration(url: "smtp://mail.example").port == 25)
        let implicit = try SMTPConfiguration(url: "smtps://mail.example")
        #expect(implicit.port == 465 && implicit.security == .implicit)
        let required = try SMTPConfiguration(url: "smtp://mail.example:587?starttls=required&ca=/etc/guichet/ca.pem")
        #expect(required.security == .required && required.caFile == "/etc/guichet/ca.pem")
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "smtp://mail.example?starttls=maybe") }
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "ftp://mail.example") }
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "not a url") }
    }
}
