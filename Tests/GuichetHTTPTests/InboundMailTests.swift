import Foundation
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Mail in")
struct InboundMailTests {
    static func email(_ api: APIHarness, role: String) async throws -> String {
        try await NotificationTests.email(api, of: api.template.account(role).personId)
    }

    /// Hands a raw message to the API as the mail gateway does.
    static func deliver(_ api: APIHarness, _ lines: [String], as role: String = "administrator") async throws -> TestResponse {
        try await api.call(
            .post, "/api/v1/inbound/email", as: role, body: lines.joined(separator: "\r\n"), headers: [.contentType: "message/rfc822"]
        )
    }

    struct Answer: Decodable {
        let outcome: String
        let ref: String?
        let reopened: Bool?
    }

    @Test("a requester's mail opens a ticket from the e-mail origin; the same Message-ID twice makes one ticket")
    func opensOnce() async throws {
        try await withAPI { api async throws in
            let from = try await Self.email(api, role: "requester")
            let mail = [
                "From: Claire Fontaine <\(from)>", "To: support@recia.example", "Subject: Imprimante du CDI bloquée",
                "Message-ID: <once-\(UUID().uuidString)@ac.example>", "Content-Type: text/plain; charset=utf-8", "",
                "Bourrage papier en continu.", "", "-- ", "Claire, documentaliste",
            ]
            let first = try await Self.deliver(api, mail)
            #expect(first.status == .ok, "\(first.text)")
            let answer = try first.decode(Answer.self)
            #expect(answer.outcome == "opened")
            let ref = try #require(answer.ref)
            let ticket = try await api.call(.get, "/api/v1/tickets/\(ref)", as: "requester").decode(TicketView.self)
            #expect(ticket.title == "Imprimante du CDI bloquée")
            #expect(ticket.description == "Bourrage papier en continu.", "the signature is trimmed")
            #expect(ticket.origin == .email)
            #expect(try await Self.deliver(api, mail).decode(Answer.self).outcome == "duplicate")
            let page = try await api.call(.get, "/api/v1/tickets", as: "requester").decode(TicketPage.self)
            #expect(page.items.filter { $0.title == "Imprimante du CDI bloquée" }.count == 1)
        }
    }

    @Test("a partner, who only reads, can neither open nor comment by mail: the message is refused with the reason, nothing recorded")
    func partnerRefused() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open()
            try await PerimeterTests.moveRequester(api, ofTicket: ticket.id, toType: "lycee")
            let from = try await Self.email(api, role: "partner_viewer")
            for subject in ["Question sur les équipements", "Re: [\(ticket.ref)] \(ticket.title)"] {
                let refused = try await Self.deliver(
                    api,
                    [
                        "From: <\(from)>", "To: support@recia.example", "Subject: \(subject)", "Message-ID: <p-\(UUID().uuidString)@region.example>",
                        "Content-Type: text/plain; charset=utf-8", "", "Pouvez-vous nous dire ?",
                    ]
                )
                #expect(refused.status == .unprocessableContent, "\(subject): \(refused.status) \(refused.text)")
                #expect(refused.text.contains("Partners"))
            }
            let history = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: "agent").text
            #expect(!history.contains("Pouvez-vous"))
        }
    }

    @Test("a reply to a notification becomes a public comment on its ticket and reopens it when resolved")
    func replyReopens() async throws {
        try await withAPI { api async throws in
            var ticket = try await api.open()
            let desk = try await TicketActionTests.serviceDeskID(api)
            ticket = try await TicketActionTests.expectDone(api, "assign", on: ticket, body: #"{"team_id":\#(desk)}"#)
            ticket = try await TicketActionTests.expectDone(api, "take", on: ticket)
            ticket = try await TicketActionTests.expectDone(
                api, "resolve", on: ticket, body: #"{"resolution_code":"fixed","solution":"Câble changé","resolution_mode":"on_site"}"#
            )
            let from = try await Self.email(api, role: "requester")
            let reply = [
                "From: <\(from)>", "Subject: Re: [\(ticket.ref)] Écran noir - résolue", "Message-ID: <reply-\(UUID().uuidString)@ac.example>",
                "In-Reply-To: <ticket-\(ticket.ref).0f1e@recia.example>", "References: <ticket-\(ticket.ref)@recia.example>", "",
                "Toujours noir ce matin.", "", "Le lun. 29 mars 2027 à 10:00, Guichet a écrit :", "> Votre demande est résolue.",
            ]
            let answer = try await Self.deliver(api, reply).decode(Answer.self)
            #expect(answer.outcome == "commented")
            #expect(answer.ref == ticket.ref)
            #expect(answer.reopened == true)
            #expect(try await api.ticket(ticket.id).status == .inProgress)
            let history = try await api.call(.get, "/api/v1/tickets/\(ticket.id)/history", as: "requester").decode(HistoryPage.self)
            let comment = try #require(history.items.last { $0.kind == "commented" })
            #expect(comment.note == "Toujours noir ce matin.")
            #expect(history.items.last?.kind == "reopened")
        }
    }

    @Test("the ref in the subject finds the ticket when the mail program dropped the threading headers")
    func subjectRef() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open()
            let from = try await Self.email(api, role: "requester")
            let answer = try await Self.deliver(api, ["From: \(from)", "Subject: TR: [\(ticket.ref)] suite", "", "Complément."]).decode(Answer.self)
            #expect(answer.outcome == "commented")
            #expect(answer.reopened == false)
        }
    }

    @Test("auto-replies are ignored; an unknown sender is answered once and nothing is created; another's ticket is out of reach")
    func refusals() async throws {
        try await withAPI { api async throws in
            let from = try await Self.email(api, role: "requester")
            let away = try await Self.deliver(api, ["From: \(from)", "Auto-Submitted: auto-replied", "Subject: Absent", "", "En congé"])
            #expect(try away.decode(Answer.self).outcome == "ignored")
            let stranger = ["From: someone@elsewhere.example", "Subject: Bonjour", "", "Pouvez-vous m'aider ?"]
            #expect(try await Self.deliver(api, stranger + ["x"]).text.contains(#""outcome":"unknown_sender""#))
            #expect(try await Self.deliver(api, stranger + ["y"]).text.contains("earlier today"))
            let rows = try await api.database.client.query(
                "SELECT count(*) FROM notifications WHERE ticket_id IS NULL AND address = 'someone@elsewhere.example'"
            )
            for try await count in rows.decode(Int64.self) { #expect(count == 1, "one answer a day") }
            // a requester answering with another requester's ref opens a ticket of their own instead
            let theirs = try await api.open(as: "local_correspondent")
            let answer = try await Self.deliver(api, ["From: \(from)", "Subject: [\(theirs.ref)] à moi", "", "Je m'invite"]).decode(Answer.self)
            #expect(answer.outcome == "opened")
            #expect(answer.ref != theirs.ref)
        }
    }

    @Test("only a gateway with an administrator's token hands mail over; a message to refuse is 422 with the reason")
    func gateway() async throws {
        try await withAPI { api async throws in
            #expect(try await Self.deliver(api, ["From: a@b.example", "", "x"], as: "agent").status == .forbidden)
            var many = ["From: a@b.example", "Content-Type: multipart/mixed; boundary=x", ""]
            for _ in 0..<600 { many += ["--x", "", "p"] }
            let refused = try await Self.deliver(api, many)
            #expect(refused.status == .unprocessableContent)
            #expect((refused.problem["detail"] as? String)?.contains("more than 500 MIME parts") == true)
            #expect(try await Self.deliver(api, ["Subject: nobody", "", "x"]).status == .unprocessableContent)
        }
    }
}
