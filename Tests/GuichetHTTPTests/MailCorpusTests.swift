import Foundation
import GuichetMail
import GuichetQueue
import GuichetServices
import GuichetTestSupport
import Testing

/// Malformed and hostile mail, grown with every fault found: each message is handed over by the API
/// and by an LMTP conversation, and must be recorded, ignored or bounced (a 2xx or a 5xx), never
/// deferred (4xx), which would have the MTA retry it forever, and never a 500.
@Suite("Mail corpus: every malformed message is recorded, ignored or bounced")
struct MailCorpusTests {
    struct Sample: Sendable, CustomStringConvertible {
        let name: String
        /// `{from}` is a known requester's address.
        let text: String
        var envelopeSender = "sender@ecole.example"
        var description: String { name }
    }

    static let samples: [Sample] = [
        Sample(name: "a NUL in the subject, the body and the Message-ID", text: "From: {from}\r\nSubject: a\u{0}b\r\nMessage-ID: <x\u{0}@e>\r\n\r\nc\u{0}d\r\n"),
        Sample(name: "a NUL in an encoded word", text: "From: {from}\r\nSubject: =?utf-8?q?a=00b?=\r\n\r\ntext\r\n"),
        Sample(name: "a NUL in a quoted-printable body", text: "From: {from}\r\nSubject: qp\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=00b\r\n"),
        Sample(name: "a NUL in a base64 body", text: "From: {from}\r\nSubject: b64\r\nContent-Transfer-Encoding: base64\r\n\r\nYQBi\r\n"),
        Sample(name: "a NUL in the sender's display name", text: "From: =?utf-8?q?Cl=00aire?= <{from}>\r\nSubject: nom\r\n\r\nx\r\n"),
        Sample(name: "other control characters everywhere", text: "From: {from}\r\nSubject: \u{1}\u{7}\u{1b}[31m\r\n\r\n\u{8}\u{7f}\r\n"),
        Sample(name: "a read receipt answering a ticket", text: "From: {from}\r\nSubject: Lu\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary=z\r\n\r\n--z\r\n\r\nlu\r\n--z--\r\n"),
        Sample(name: "a delivery status report", text: "From: {from}\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=z\r\n\r\n--z\r\n\r\nx\r\n--z--\r\n"),
        Sample(name: "mail from the null sender", text: "From: {from}\r\nSubject: bounce\r\n\r\nx\r\n", envelopeSender: ""),
        Sample(name: "no From at all", text: "Subject: nobody\r\n\r\nx\r\n"),
        Sample(name: "a From that is not an address", text: "From: <<<>>>\r\nSubject: x\r\n\r\nx\r\n"),
        Sample(name: "an unknown charset and invalid UTF-8", text: "From: {from}\r\nSubject: \u{FFFD}\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n\u{FFFD}\u{FFFD}\r\n"),
        Sample(name: "a boundary that never closes", text: "From: {from}\r\nSubject: open\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\ntext\r\n"),
        Sample(name: "an empty boundary", text: "From: {from}\r\nSubject: empty\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\nx\r\n"),
        Sample(name: "broken base64", text: "From: {from}\r\nSubject: b64\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@###\r\n"),
        Sample(name: "a header without a colon and a bare LF", text: "From: {from}\nnot a header\nSubject: lf\n\nbody\n"),
        Sample(name: "an encoded word typed into the subject", text: "From: {from}\r\nSubject: =?utf-8?b?=?=?x?q?==?=\r\n\r\nx\r\n"),
        Sample(
            name: "multipart nested deeper than the limit",
            text: "From: {from}\r\nSubject: deep\r\n" + (0..<12).map { "Content-Type: multipart/mixed; boundary=b\($0)\r\n\r\n--b\($0)\r\n" }.joined() + "\r\ntext\r\n"
        ),
    ]

    @Test("handed over by the API: 200 or 422, never a 500", arguments: samples)
    func api(_ sample: Sample) async throws {
        try await withAPI { api async throws in
            let from = try await InboundMailTests.email(api, role: "requester")
            let response = try await api.call(
                .post, "/api/v1/inbound/email", as: "administrator", body: sample.text.replacingOccurrences(of: "{from}", with: from),
                headers: [.contentType: "message/rfc822"]
            )
            #expect(response.status == .ok || response.status == .unprocessableContent, "\(response.status): \(response.text)")
        }
    }

    @Test("handed over by LMTP: accepted or bounced for good, never deferred", arguments: samples)
    func lmtp(_ sample: Sample) async throws {
        try await withAPI { api async throws in
            let from = try await InboundMailTests.email(api, role: "requester")
            let notifier = JobNotifier(client: api.database.client, logger: TestDatabase.logger)
            let inbound = InboundMailService(tickets: TicketService(database: api.database, notifier: notifier, logger: TestDatabase.logger))
            var session = LMTPSession(hostname: "guichet", maxBytes: 1_048_576)
            var replies: [String] = []
            let lines = ["LHLO mx", "MAIL FROM:<\(sample.envelopeSender)>", "RCPT TO:<support@recia.example>", "DATA"]
                + sample.text.replacingOccurrences(of: "{from}", with: from).replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init) + ["."]
            for line in lines {
                var pending = session.receive(line: Array(line.utf8))
                while !pending.isEmpty {
                    switch pending.removeFirst() {
                    case .reply(let text): replies.append(text)
                    case .deliver(let message): pending += session.delivered(await inbound.verdict(for: message))
                    case .close: break
                    }
                }
            }
            let last = try #require(replies.last)
            #expect(last.hasPrefix("250 ") || last.hasPrefix("550 ") || last.hasPrefix("554 "), "\(last)")
        }
    }
}
