import Foundation
import GuichetMail
import GuichetQueue
import GuichetServices
import GuichetStore
import GuichetTestSupport
import HTTPTypes
import NIOCore
import Testing

/// What the outside probe of the cluster broke, each with the input it sent.
@Suite("Hardening: the probe's findings")
struct HardeningTests {
    @Test("a 30 MB form is refused with 413, signed in or not, urlencoded or multipart")
    func oversizedForms() async throws {
        try await withAPI { api async throws in
            let huge = ByteBuffer(repeating: UInt8(ascii: "a"), count: 30 * 1_048_576)
            for (path, type) in [("/login", "application/x-www-form-urlencoded"), ("/requests", "multipart/form-data; boundary=x")] {
                let response = try await api.client.execute(uri: path, method: .post, headers: [.contentType: type], body: huge)
                #expect(response.status == .contentTooLarge, "\(path): \(response.status)")
                #expect(response.text.contains("26"), "the page says the limit")
            }
        }
    }

    @Test("a sign-in or a change of language never leads to another site")
    func openRedirects() async throws {
        try await withAPI { api async throws in
            let back = try await api.call(.get, "/language?to=en&back=/%09/evil.example")
            #expect(back.status == .seeOther && back.headers[.location] == "/")
            var browser = WebBrowser(api)
            let page = try await browser.get("/login?next=/%09/evil.example")
            #expect(!page.text.contains("evil.example"))
            let account = api.template.account("requester")
            let signedIn = try await browser.post("/login", ["login": account.login, "password": account.password, "next": "/\t/evil.example"])
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/")
        }
    }

    @Test("read receipts, delivery reports and mail from the null sender neither reopen, comment nor open a ticket")
    func automaticMail() async throws {
        try await withAPI { api async throws in
            var ticket = try await api.openAtDesk(take: true)
            ticket = try await api.act("resolve", on: ticket, body: #"{"resolution_code":"fixed","solution":"Câble changé","resolution_mode":"remote"}"#)
                .decode(TicketView.self)
            let from = try await InboundMailTests.email(api, role: "requester")
            let receipt = [
                "From: \(from)", "Subject: Lu : [\(ticket.ref)] résolu", "In-Reply-To: <ticket-\(ticket.ref).x@guichet.example>",
                "Message-ID: <mdn-1@ecole.example>", "Content-Type: multipart/report; report-type=disposition-notification; boundary=b", "",
                "--b", "Content-Type: text/plain", "", "Votre message a été lu.", "--b", "Content-Type: message/disposition-notification", "",
                "Disposition: manual-action/MDN-sent-manually; displayed", "--b--",
            ]
            let report = [
                "From: \(from)", "Subject: Undelivered Mail", "Message-ID: <dsn-1@ecole.example>",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=c", "", "--c", "Content-Type: text/plain", "", "Not delivered.",
                "--c--",
            ]
            for message in [receipt, report] {
                let answer = try await InboundMailTests.deliver(api, message).decode(InboundMailTests.Answer.self)
                #expect(answer.outcome == "ignored")
            }
            #expect(try await api.ticket(ticket.id).status == .resolved, "the receipt did not reopen it")
            let notifier = JobNotifier(client: api.database.client, logger: TestDatabase.logger)
            let inbound = InboundMailService(tickets: TicketService(database: api.database, notifier: notifier, logger: TestDatabase.logger))
            let bounce = Array("From: \(from)\r\nSubject: Problème\r\nMessage-ID: <null-1@ecole.example>\r\n\r\nTexte\r\n".utf8)
            #expect(try await inbound.receive(bounce, envelopeSender: "") == .ignored(reason: "automatic mail"))
            let count = try await api.database.client.query("SELECT count(*) FROM tickets")
            for try await tickets in count.decode(Int64.self) { #expect(tickets == 1, "nothing opened") }
        }
    }

    @Test("a requester cannot claim a ticket came by phone, mail or monitoring; staff record phone calls")
    func origins() async throws {
        try await withAPI { api async throws in
            for origin in ["phone", "email", "monitoring"] {
                let refused = try await api.call(
                    .post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"x","origin":"\#(origin)"}"#
                )
                #expect(refused.status == .unprocessableContent && refused.text.contains("origin"), "\(origin)")
            }
            #expect(try await api.call(.post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"x","origin":"portal"}"#).status == .created)
            let ticket = try await api.open()
            let comment = try await api.call(.post, "/api/v1/tickets/\(ticket.id)/comments", as: "requester", body: #"{"body":"x","origin":"email"}"#)
            #expect(comment.status == .unprocessableContent)
        }
    }

    @Test("a method a path does not take answers 405 with Allow")
    func methodNotAllowed() async throws {
        try await withAPI { api async throws in
            let response = try await api.call(.delete, "/api/v1/tickets", as: "agent")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET, POST")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try await api.call(.put, "/api/v1/tickets/12/history", as: "agent").status == .methodNotAllowed)
            #expect(try await api.call(.get, "/api/v1/nowhere", as: "agent").status == .notFound)
        }
    }

    @Test("a flood of refused tokens writes one audit row per address and hour, then one summary")
    func refusedTokensCounted() async throws {
        try await withAPI { api async throws in
            // the flood must fall within one hour of the database's clock: near an hour's end, wait for the next
            let untilHour = try await api.database.client.query(
                "SELECT extract(epoch FROM date_trunc('hour', now()) + interval '1 hour' - now())::float8"
            )
            for try await seconds in untilHour.decode(Double.self) where seconds < 90 { try await Task.sleep(for: .seconds(seconds + 1)) }
            for _ in 0..<25 { #expect(try await api.call(.get, "/api/v1/tickets", token: "gch_wrong").status == .unauthorized) }
            func count(_ kind: String) async throws -> Int64 {
                let rows = try await api.database.client.query("SELECT count(*) FROM audit_log WHERE kind = \(kind)")
                for try await count in rows.decode(Int64.self) { return count }
                return 0
            }
            #expect(try await count("auth.token_refused") == 1)
            // the hour ends
            try await api.database.client.query("UPDATE refused_token_counts SET window_start = window_start - interval '1 hour'")
            _ = try await SessionService(database: api.database, logger: TestDatabase.logger).purge()
            #expect(try await count("auth.token_refused_summary") == 1)
            let detail = try await api.database.client.query("SELECT detail FROM audit_log WHERE kind = 'auth.token_refused_summary'")
            for try await text in detail.decode(String.self) { #expect(text.hasPrefix("24 more refused tokens"), "\(text)") }
            let left = try await api.database.client.query("SELECT count(*) FROM refused_token_counts")
            for try await rows in left.decode(Int64.self) { #expect(rows == 0) }
        }
    }

    @Test("a title written as an encoded word reaches the mail subject as typed, not decoded by the reader")
    func encodedWordTitle() {
        let typed = "=?utf-8?q?Facture_pay=C3=A9e?= urgent"
        let header = HeaderEncoding.text(typed)
        #expect(header.hasPrefix("=?UTF-8?B?"))
        #expect(EncodedWords.decode(header) == typed)
        #expect(HeaderEncoding.text("Imprimante en panne") == "Imprimante en panne")
    }
}
