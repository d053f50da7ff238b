import Foundation
import GuichetTestSupport
import Testing

@testable import GuichetMail

@Suite("SMTP delivery to a real server")
struct SMTPClientTests {
    @Test("a message reaches the server whole: envelope, threading headers, encoded subject, both parts")
    func delivers() async throws {
        let sender = TestMail.uniqueSender()
        var message = message(subject: "[I-000042] Vidéoprojecteur muet - prise en charge", text: "Ligne 1\n.ligne qui commence par un point\nFin")
        message.from = sender
        try await SMTPClient(configuration: try TestMail.smtp()).send(message)
        let received = try await TestMail.waitForMessages(from: sender, count: 1)
        let raw = try #require(received.first)
        #expect(raw.contains("X-Envelope-To: claire@ecole.example"))
        let lines = headers(of: raw)
        #expect(lines.contains("Message-ID: <ticket-I-000123.1@recia.example>"))
        let subject = try #require(lines.first { $0.hasPrefix("Subject: ") })
        #expect(decodeEncodedWords(String(subject.dropFirst(9))).replacingOccurrences(of: " ", with: "") == "[I-000042]Vidéoprojecteurmuet-priseencharge")
        let textPart = try #require(raw.components(separatedBy: "Content-Transfer-Encoding: quoted-printable\r\n\r\n").dropFirst().first)
        let text = decodeQuotedPrintable(textPart.components(separatedBy: "\r\n--guichet-")[0])
        #expect(text == "Ligne 1\n.ligne qui commence par un point\nFin", "the dot-stuffing was undone by the server")
    }

    @Test("with credentials the client authenticates; wrong ones are a permanent refusal that does not show the password")
    func authenticates() async throws {
        var configuration = try TestMail.smtp()
        let sender = TestMail.uniqueSender()
        var message = message()
        message.from = sender
        configuration.username = "guichet"
        configuration.password = "catcher-secret"
        try await SMTPClient(configuration: configuration).send(message)
        #expect(try await TestMail.waitForMessages(from: sender, count: 1).count == 1)

        configuration.password = "wrong-password"
        do {
            try await SMTPClient(configuration: configuration).send(message)
            Issue.record("a wrong password was accepted")
        } catch let error as SMTPError {
            #expect(error.isPermanent)
            #expect(!error.description.contains("wrong-password"))
            #expect(!error.description.contains(Data("\0guichet\0wrong-password".utf8).base64EncodedString()))
        }
    }

    @Test("STARTTLS with a verified certificate, then AUTH: delivered; an unknown authority or a plain session is refused")
    func startTLS() async throws {
        var configuration = try TestMail.smtpRequiringTLS()
        let sender = TestMail.uniqueSender()
        var message = message()
        message.from = sender
        try await SMTPClient(configuration: configuration).send(message)
        #expect(try await TestMail.waitForMessages(from: sender, count: 1).count == 1)

        var unknownAuthority = configuration
        unknownAuthority.caFile = nil
        await #expect(throws: (any Error).self, "a certificate no known authority signed") { try await SMTPClient(configuration: unknownAuthority).send(message) }
        configuration.security = .never
        configuration.username = nil
        do {
            try await SMTPClient(configuration: configuration).send(message)
            Issue.record("the server took mail without STARTTLS")
        } catch let error as SMTPError {
            #expect(error.isPermanent, "\(error)")
        }
        #expect(try TestMail.messages(from: sender).count == 1)
    }

    @Test("no server listening is a transient failure: the job will try again")
    func noServer() async throws {
        var configuration = try TestMail.smtp()
        configuration.port = 1
        do {
            try await SMTPClient(configuration: configuration).send(message())
            Issue.record("sent to a closed port")
        } catch let error as SMTPError {
            #expect(!error.isPermanent)
        } catch {
            // a connection refused comes from the network layer: not an SMTP refusal, so retried
        }
    }
}
