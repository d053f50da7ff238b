import Foundation
import GuichetDomain
import GuichetServices
import GuichetStore
import GuichetTestSupport
import HTTPTypes
import Testing

@testable import GuichetHTTP

@Suite("Web portal: sign-in, requests, ticket pages")
struct WebPortalTests {
    @Test("pages carry the security headers, and every form its CSRF field")
    func securityHeaders() async throws {
        try await withAPI { api async throws in
            var browser = WebBrowser(api)
            let page = try await browser.get("/login")
            #expect(page.status == .ok)
            let policy = page.headers[.contentSecurityPolicy] ?? ""
            #expect(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.text.contains(#"name="csrf""#) && page.text.contains(#"<html lang="fr">"#))
        }
    }

    @Test("a form posted without its CSRF token is refused and audited; with it, sign-in works and lands on the person's home")
    func csrf() async throws {
        try await withAPI { api async throws in
            var browser = WebBrowser(api)
            try await browser.get("/login")
            let account = api.template.account("requester")
            let forged = try await browser.post("/login", ["login": account.login, "password": account.password], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(browser.cookies[AuthMiddleware.sessionCookie] == nil, "no session from a forged form")
            let denied = try await api.database.client.query("SELECT count(*) FROM audit_log WHERE kind = 'access.denied' AND detail LIKE '%form token%'")
            for try await count in denied.decode(Int64.self) { #expect(count == 1) }
            let signedIn = try await browser.post("/login", ["login": account.login, "password": account.password])
            #expect(signedIn.status == .seeOther && signedIn.location == "/")
            var agent = WebBrowser(api)
            try await agent.signIn("agent")
            #expect(try await agent.get("/").location == "/console", "staff start at the console")
            // signed in, a form without the session's token is refused too, and the session stays
            #expect(try await browser.post("/logout", [:], csrf: false).status == .forbidden)
            #expect(try await browser.get("/").status == .ok)
        }
    }

    @Test("a wrong password says so and keeps the login typed")
    func wrongPassword() async throws {
        try await withAPI { api async throws in
            var browser = WebBrowser(api)
            try await browser.get("/login")
            let login = api.template.account("requester").login
            let page = try await browser.post("/login", ["login": login, "password": "not the password"])
            #expect(page.status == .unauthorized)
            #expect(page.text.contains(#"id="errors""#) && page.text.contains(#"value="\#(login)""#))
            #expect(page.text.contains("Identifiant ou mot de passe incorrect"))
        }
    }

    @Test("a signed-out visitor is sent to sign in, then back where they were going")
    func signInFirst() async throws {
        try await withAPI { api async throws in
            var browser = WebBrowser(api)
            let page = try await browser.get("/requests/new")
            #expect(page.status == .seeOther && page.location == "/login?next=%2Frequests%2Fnew")
            let form = try await browser.get(page.location ?? "")
            #expect(form.text.contains(#"name="next" value="/requests/new""#))
            let account = api.template.account("requester")
            let signedIn = try await browser.post("/login", ["login": account.login, "password": account.password, "next": "/requests/new"])
            #expect(signedIn.location == "/requests/new")
            var other = WebBrowser(api)
            try await other.get("/login")
            let offsite = try await other.post("/login", ["login": account.login, "password": account.password, "next": "//evil.example/"])
            #expect(offsite.location == "/", "never sent to another site")
        }
    }

    @Test("a requester opens a request from the catalogue with a file; the page shows it, the file downloads as an attachment")
    func openWithAttachment() async throws {
        try await withAPI { api async throws in
            var browser = try await WebBrowser.signedIn(api, as: "requester")
            let catalogue = try await browser.get("/requests/new")
            #expect(catalogue.text.contains("out-of-perimeter") && catalogue.text.contains("Formation à l&#39;usage des logiciels"))
            let serviceID = try await Self.serviceID(api, code: "imprimante")
            let form = try await browser.get("/requests/new?service=\(serviceID)")
            #expect(form.text.contains(#"id="request-form""#))
            let bytes = Array("Journal de l'imprimante\r\nligne 2\r\n".utf8)
            let created = try await browser.postMultipart(
                "/requests", ["service": "\(serviceID)", "kind": "incident", "title": "L'imprimante de la salle 12 bourre", "urgency": "2"],
                files: [(field: "attachment", name: "journal.txt", type: "text/plain", bytes: bytes)]
            )
            #expect(created.status == .seeOther)
            let location = try #require(created.location)
            let page = try await browser.get(location)
            #expect(page.text.contains("L&#39;imprimante de la salle 12 bourre") && page.text.contains("journal.txt"))
            let ticket = try await api.ticket(try await Self.ticketID(api, ref: String(location.dropFirst("/tickets/".count))))
            #expect(ticket.origin == .portal && ticket.urgency == 2 && ticket.service?.code == "imprimante")
            let attachment = try #require(page.text.range(of: #"/attachments/\d+"#, options: .regularExpression).map { String(page.text[$0]) })
            let download = try await browser.get(attachment)
            #expect(download.status == .ok && Array(buffer: download.body) == bytes, "the bytes come back exactly")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(download.headers[.contentType] == "application/octet-stream", "never rendered by the browser")
        }
    }

    @Test("\"which equipment?\" offers the requester's establishment's equipment only; the one chosen is linked, one outside is refused with what to do")
    func equipmentPicker() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let mine = try await CMDBTests.create(api, #""class":"desktop","name":"PC-CDI-04","room":"CDI","asset_tag":"INV-2231","establishment":"\#(uai)""#)
            let elsewhere = try await CMDBTests.create(api, #""class":"desktop","name":"PC-CDI-05","room":"CDI""#)
            _ = try await CMDBTests.create(api, #""class":"desktop","name":"PC-CDI-06","room":"CDI","status":"retired","establishment":"\#(uai)""#)
            var browser = try await WebBrowser.signedIn(api, as: "requester")
            let choices = try await browser.get("/requests/equipment?q=cdi")
            #expect(choices.status == .ok && choices.text.contains(#"data-ci="\#(mine.id)""#) && choices.text.contains("poste fixe · CDI · INV-2231"))
            #expect(!choices.text.contains("PC-CDI-05"), "equipment outside the establishment is never offered")
            #expect(!choices.text.contains("PC-CDI-06"), "nor retired equipment")
            #expect(try await browser.get("/requests/equipment?q=inv%202231").text.contains("PC-CDI-04"), "by asset tag, in any case")
            #expect(try await browser.get("/requests/equipment?q=zzzz").text.contains("equipment-none"), "no match says so")

            let serviceID = try await Self.serviceID(api, code: "imprimante")
            let form = try await browser.get("/requests/new?service=\(serviceID)")
            #expect(form.text.contains(#"id="equipment-picker""#) && form.text.contains("Je ne sais pas"))
            let fields = ["service": "\(serviceID)", "kind": "incident", "title": "Le poste du CDI ne démarre plus", "urgency": "2", "equipment": "PC-CDI-04"]
            let created = try await browser.postMultipart("/requests", fields.merging(["ci": "\(mine.id)"]) { $1 }, files: [])
            #expect(created.status == .seeOther)
            let ref = String(try #require(created.location).dropFirst("/tickets/".count))
            let ticket = try await api.ticket(try await Self.ticketID(api, ref: ref))
            #expect(ticket.cis?.map(\.id) == [mine.id], "the chosen CI is linked")
            #expect(!ticket.description.contains("PC-CDI-04"), "a chosen CI is not repeated in the words")
            #expect(try await browser.get("/tickets/\(ref)").text.contains("PC-CDI-04"), "the requester's page names it")
            _ = try await browser.get("/requests/new?service=\(serviceID)")

            let refused = try await browser.postMultipart("/requests", fields.merging(["ci": "\(elsewhere.id)", "title": "Autre"]) { $1 }, files: [])
            #expect(refused.status == .unprocessableContent && refused.text.contains("id=\"equipment-error\""))
            #expect(refused.text.contains("pas dans votre établissement") && refused.text.contains(#"name="ci" value="""#), "the choice is dropped, the words kept")
            let unknown = try await browser.postMultipart("/requests", fields.merging(["ci": "\(elsewhere.id)", "equipment_unknown": "1"]) { $1 }, files: [])
            #expect(unknown.status == .seeOther, "\"I don't know\" opens the request without equipment")

            var stranger = WebBrowser(api)
            #expect(try await stranger.get("/requests/equipment?q=cdi").status == .seeOther, "signed out: sign in first")
        }
    }

    @Test("an empty title is refused with what to fix and everything typed kept; a refused file stores nothing")
    func validation() async throws {
        try await withAPI { api async throws in
            var browser = try await WebBrowser.signedIn(api, as: "requester")
            let serviceID = try await Self.serviceID(api, code: "reseau")
            try await browser.get("/requests/new?service=\(serviceID)")
            let page = try await browser.post("/requests", ["service": "\(serviceID)", "kind": "request", "title": "  ", "description": "Le Wi-Fi du CDI", "urgency": "1"])
            #expect(page.status == .unprocessableContent)
            #expect(page.text.contains(#"id="title-error""#) && page.text.contains(#"aria-invalid="true""#))
            #expect(page.text.contains("Le Wi-Fi du CDI") && page.text.contains(#"value="1" selected"#))
            #expect(page.text.contains(#"id="title" name="title" maxlength="200" value="""#), "the emptied title stays empty")
            let refused = try await browser.postMultipart(
                "/requests", ["service": "\(serviceID)", "kind": "incident", "title": "Programme"],
                files: [(field: "attachment", name: "setup.exe", type: "application/x-msdownload", bytes: [0x4D, 0x5A, 0, 1])]
            )
            #expect(refused.status == .unprocessableContent && refused.text.contains("Le type du fichier « setup.exe »"), "said in French")
            let rows = try await api.database.client.query("SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM attachments)")
            for try await count in rows.decode(Int64.self) { #expect(count == 0, "nothing stored") }
        }
    }

    @Test("a title with markup is shown as text, never as markup")
    func escaping() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open(body: #"{"kind":"incident","title":"<script>alert(1)</script><img src=x onerror=alert(2)>"}"#)
            var requester = try await WebBrowser.signedIn(api, as: "requester")
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            for page in [try await requester.get("/tickets/\(ticket.ref)"), try await requester.get("/"), try await agent.get("/console?queue=open")] {
                #expect(page.status == .ok)
                #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"))
                #expect(!page.text.contains("<script>alert") && !page.text.contains("<img src=x"))
            }
        }
    }

    @Test("a requester never sees another requester's ticket, an internal note, or its file")
    func perimeter() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open()
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            try await agent.get("/tickets/\(ticket.ref)")
            let noted = try await agent.postMultipart(
                "/tickets/\(ticket.ref)/replies", ["body": "Switch douteux au 2e étage", "internal": "1"],
                files: [(field: "attachment", name: "capture.png", type: "image/png", bytes: [0x89, 0x50, 0x4E, 0x47])]
            )
            #expect(noted.status == .seeOther)
            var requester = try await WebBrowser.signedIn(api, as: "requester")
            let own = try await requester.get("/tickets/\(ticket.ref)")
            #expect(own.status == .ok && !own.text.contains("Switch douteux") && !own.text.contains("capture.png"))
            let agentPage = try await agent.get("/tickets/\(ticket.ref)")
            #expect(agentPage.text.contains("comment internal") && agentPage.text.contains("capture.png"))
            let file = try #require(agentPage.text.range(of: #"/attachments/\d+"#, options: .regularExpression).map { String(agentPage.text[$0]) })
            #expect(try await requester.get(file).status == .notFound, "the internal note's file is not the requester's")
            let person = try await Self.otherRequester(api)
            let theirs = try await api.open(as: "agent", body: #"{"kind":"request","title":"Autre école","requester_id":\#(person)}"#)
            let foreign = try await requester.get("/tickets/\(theirs.ref)")
            #expect(foreign.status == .notFound && !foreign.text.contains("Autre école"))
        }
    }

    @Test("on a resolved ticket, the requester confirms it solved (closed) or says it still does not work (reopened)")
    func confirmation() async throws {
        try await withAPI { api async throws in
            var requester = try await WebBrowser.signedIn(api, as: "requester")
            for (answer, expected) in [("solved", TicketStatus.closed), ("broken", TicketStatus.inProgress)] {
                var ticket = try await api.openAtDesk(take: true)
                ticket = try await api.act(
                    "resolve", on: ticket, body: #"{"resolution_code":"fixed","solution":"Câble remplacé","resolution_mode":"on_site"}"#
                ).decode(TicketView.self)
                let page = try await requester.get("/tickets/\(ticket.ref)")
                #expect(page.text.contains(#"id="confirm-solved""#) && page.text.contains("Câble remplacé"))
                let answered = try await requester.post("/tickets/\(ticket.ref)/confirm", ["answer": answer, "version": "\(ticket.version)", "reason": "Toujours en panne"])
                #expect(answered.status == .seeOther)
                #expect(try await api.ticket(ticket.id).status == expected, "\(answer)")
            }
        }
    }

    @Test("with the schools' SSO configured, the sign-in page offers it and keeps where to return")
    func casLink() async throws {
        try await withAPI(cas: CASService.Settings(serverURL: "http://127.0.0.1:9/cas", match: .login)) { api async throws in
            var browser = WebBrowser(api)
            let page = try await browser.get("/login?next=/tickets/I-000001")
            #expect(page.text.contains(#"id="cas-sign-in" class="button" href="/auth/cas/login?next=%2Ftickets%2FI%2D000001""#))
        }
    }

    @Test("the pages speak English when asked, and French by default")
    func languages() async throws {
        try await withAPI { api async throws in
            var browser = WebBrowser(api)
            #expect(try await browser.get("/login").text.contains("Connexion"))
            let switched = try await browser.get("/language?to=en&back=/login")
            #expect(switched.location == "/login")
            let page = try await browser.get("/login")
            #expect(page.text.contains(#"<html lang="en">"#) && page.text.contains("Sign in"))
        }
    }

    static func serviceID(_ api: APIHarness, code: String) async throws -> Int64 {
        let rows = try await api.database.client.query("SELECT id FROM services WHERE code = \(code)")
        for try await id in rows.decode(Int64.self) { return id }
        throw HarnessFailure("no service \(code)")
    }

    static func ticketID(_ api: APIHarness, ref: String) async throws -> Int64 {
        let rows = try await api.database.client.query("SELECT id FROM tickets WHERE ref = \(ref)")
        for try await id in rows.decode(Int64.self) { return id }
        throw HarnessFailure("no ticket \(ref)")
    }

    /// A requester of another establishment than the demo requester's.
    static func otherRequester(_ api: APIHarness) async throws -> Int64 {
        let me = api.template.account("requester").personId
        let rows = try await api.database.client.query(
            """
            SELECT p.id FROM people p JOIN organizations o ON o.id = p.organization_id
            WHERE o.kind = 'establishment' AND o.id <> (SELECT organization_id FROM people WHERE id = \(me))
            ORDER BY p.id LIMIT 1
            """
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw HarnessFailure("no other requester")
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
