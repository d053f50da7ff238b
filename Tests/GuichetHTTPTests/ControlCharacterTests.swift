import Foundation
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Testing

/// The probe's first finding: a NUL byte in any text that reaches the database answered 500. Text a
/// person sends is refused with the field named; text a mail brings is recorded without it.
@Suite("Control characters in text are refused at the boundary, or stripped from mail")
struct ControlCharacterTests {
    struct Case: Sendable, CustomStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        var body: String? = nil
        var role = "agent"
        var ifMatch = false
        let status: Int
        let field: String
        var description: String { "\(method) \(path) \(body ?? "")" }
    }

    static let nul = #"\u0000"#

    /// Every API place the probe found, with `{ticket}` for a ticket in progress at the desk.
    static let apiCases: [Case] = [
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"a\#(nul)b"}"#, status: 422, field: "title"),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x","description":"\#(nul)"}"#, status: 422, field: "description"),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x","service":"re\#(nul)seau"}"#, status: 422, field: "service"),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x","establishment":"\#(nul)"}"#, status: 422, field: "establishment"),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"bell \u0007"}"#, status: 422, field: "title"),
        Case(method: .post, path: "/api/v1/tickets/{ticket}/comments", body: #"{"body":"ok\#(nul)"}"#, status: 422, field: "body"),
        Case(method: .post, path: "/api/v1/tickets/{ticket}/actions/pend", body: #"{"reason":"\#(nul)"}"#, ifMatch: true, status: 422, field: "reason"),
        Case(method: .post, path: "/api/v1/tickets/{ticket}/actions/escalate", body: #"{"team_id":1,"reason":"\#(nul)"}"#, ifMatch: true, status: 422, field: "reason"),
        Case(
            method: .post, path: "/api/v1/tickets/{ticket}/actions/resolve", body: #"{"resolution_code":"fi\#(nul)xed","solution":"ok"}"#, ifMatch: true,
            status: 422, field: "resolution_code"
        ),
        Case(
            method: .post, path: "/api/v1/tickets/{ticket}/actions/resolve", body: #"{"resolution_code":"fixed","solution":"\#(nul)"}"#, ifMatch: true,
            status: 422, field: "solution"
        ),
        Case(method: .post, path: "/api/v1/webhooks", body: #"{"url":"https://203.0.113.10/\#(nul)","events":["created"]}"#, role: "administrator", status: 422, field: "url"),
        Case(method: .post, path: "/api/v1/session", body: #"{"login":"\#(nul)","password":"x"}"#, status: 422, field: "login"),
        Case(method: .post, path: "/api/v1/password-reset", body: #"{"login":"a\#(nul)"}"#, status: 422, field: "login"),
        Case(method: .get, path: "/api/v1/audit?kind=%00", role: "administrator", status: 400, field: "kind"),
        Case(method: .get, path: "/api/v1/audit?object_id=x%00", role: "administrator", status: 400, field: "object_id"),
        Case(method: .get, path: "/api/v1/tickets?establishment=%00", status: 400, field: "establishment"),
        Case(method: .get, path: "/api/v1/tickets?cursor=%01", status: 400, field: "cursor"),
        Case(method: .get, path: "/api/v1/tickets/I-%00", status: 400, field: "path"),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x","\#(nul)":1}"#, status: 422, field: "(a field name)"),
    ]

    @Test("the API refuses a control character with 400 or 422 naming the field, and stores nothing", arguments: apiCases)
    func api(_ badCase: Case) async throws {
        try await withAPI { api async throws in
            let ticket = try await api.openAtDesk(take: true)
            let path = badCase.path.replacingOccurrences(of: "{ticket}", with: "\(ticket.id)")
            let headers: HTTPFields = badCase.ifMatch ? [.ifMatch: "\"\(ticket.version)\""] : [:]
            let token = badCase.path.contains("/session") || badCase.path.contains("password-reset") ? nil : api.token(badCase.role)
            let response = try await api.call(badCase.method, path, token: token, body: badCase.body, headers: headers)
            #expect(response.status.code == badCase.status, "\(response.text)")
            #expect(response.headers[.contentType] == "application/problem+json")
            let fields = (response.problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(fields == [badCase.field], "\(response.text)")
            #expect(try await api.ticket(ticket.id).version == ticket.version, "the ticket did not change")
            let count = try await api.database.client.query("SELECT count(*) FROM tickets")
            for try await tickets in count.decode(Int64.self) { #expect(tickets == 1) }
        }
    }

    @Test("tabs and line breaks stay welcome in text")
    func lineBreaksAccepted() async throws {
        try await withAPI { api async throws in
            let opened = try await api.call(
                .post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"Écran\tnoir","description":"ligne 1\r\nligne 2\n"}"#
            )
            #expect(opened.status == .created)
        }
    }

    @Test("web forms and searches with a control character are refused with a page naming the field, in the visitor's language")
    func web() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.openAtDesk(take: true)
            var anonymous = WebBrowser(api)
            try await anonymous.get("/login")
            let signIn = try await anonymous.post("/login", ["login": "a\u{0}b", "password": "x"])
            #expect(signIn.status == .badRequest && signIn.text.contains("Le champ « Identifiant » contient un caractère de contrôle"), "\(signIn.text)")
            var requester = try await WebBrowser.signedIn(api, as: "requester")
            try await requester.get("/requests/new")
            let request = try await requester.post("/requests", ["kind": "incident", "title": "Imprimante\u{0}", "service": "logiciel"])
            #expect(request.status == .badRequest && request.text.contains("Le champ « Titre »"), "\(request.text)")
            let multipart = try await requester.postMultipart(
                "/requests", ["kind": "incident", "title": "ok", "description": "x\u{0}"], files: []
            )
            #expect(multipart.status == .badRequest && multipart.text.contains("Le champ « Description »"))
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            try await agent.get("/tickets/\(ticket.ref)")
            let reply = try await agent.post("/tickets/\(ticket.ref)/replies", ["body": "bonjour\u{0}", "visibility": "public"])
            #expect(reply.status == .badRequest && reply.text.contains("Le champ « Votre message »"))
            let search = try await agent.get("/console?q=%00")
            #expect(search.status == .badRequest && search.text.contains("Le champ « Recherche »"), "a page, not JSON: \(search.text)")
            #expect(try await agent.get("/console/calls/new?q=du%00pont").status == .badRequest)
            #expect(try await api.ticket(ticket.id).version == ticket.version)
            let comments = try await api.database.client.query("SELECT count(*) FROM comments")
            for try await count in comments.decode(Int64.self) { #expect(count == 0) }
        }
    }

    @Test("mail that brings control characters, by the API or in encoded words, is recorded without them")
    func mailStripped() async throws {
        try await withAPI { api async throws in
            let from = try await InboundMailTests.email(api, role: "requester")
            let raw = "From: \(from)\r\nSubject: =?utf-8?q?Vid=C3=A9o=00projecteur?=\r\nMessage-ID: <nul\u{0}@ecole.example>\r\n\r\nLe projecteur\u{0} ne s'allume plus.\u{7}\r\n"
            let response = try await api.call(
                .post, "/api/v1/inbound/email", as: "administrator", body: raw, headers: [.contentType: "message/rfc822"]
            )
            #expect(response.status == .ok && response.text.contains(#""outcome":"opened""#), "\(response.text)")
            let rows = try await api.database.client.query("SELECT title, description FROM tickets")
            for try await (title, description) in rows.decode((String, String).self) {
                #expect(title == "Vidéoprojecteur")
                #expect(description == "Le projecteur ne s'allume plus.")
            }
        }
    }
}
