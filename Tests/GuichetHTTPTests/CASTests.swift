import Foundation
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Sign-in through the school workspace (CAS)")
struct CASTests {
    static let publicURL = "https://guichet.test"

    /// Goes to the CAS server from Guichet's login as `user`, and returns the callback path it sends
    /// the browser back to, with the state cookie Guichet set.
    static func toCAS(_ api: APIHarness, as user: String, next: String = "/tickets/42") async throws -> (path: String, cookie: String) {
        let login = try await api.call(.get, "/auth/cas/login?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next)")
        #expect(login.status == .found)
        let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
        let back = try await TestCASServer.browserSignIn(at: try #require(login.headers[.location]), as: user)
        #expect(back.hasPrefix(publicURL + "/auth/cas/callback?"), "the CAS server sends the browser back to Guichet: \(back)")
        return (String(back.dropFirst(publicURL.count)), cookie)
    }

    /// Signs `user` in through the CAS server, and returns Guichet's answer to the callback.
    static func signIn(_ api: APIHarness, as user: String, next: String = "/tickets/42") async throws -> TestResponse {
        let (path, cookie) = try await toCAS(api, as: user, next: next)
        return try await api.call(.get, path, headers: [.cookie: cookie])
    }

    @Test("a CAS user known by login gets a session and goes back to the page asked for; a replayed ticket and an unknown user are refused")
    func byLogin() async throws {
        try await TestCASServer.run(users: [:]) { cas in
            try await withAPI(cas: CASService.Settings(serverURL: cas), publicURL: Self.publicURL) { api async throws in
                let login = try await api.call(.get, "/auth/cas/login?next=/tickets/42")
                #expect(login.headers[.location]?.hasPrefix(cas + "/login?service=https%3A%2F%2Fguichet.test%2Fauth%2Fcas%2Fcallback") == true)

                let done = try await Self.signIn(api, as: api.template.account("requester").login)
                #expect(done.status == .seeOther)
                #expect(done.headers[.location] == "/tickets/42")
                let setCookie = try #require(done.headers[values: .setCookie].first { $0.hasPrefix("guichet_session=") })
                #expect(done.headers[values: .setCookie].contains { $0.hasPrefix("guichet_cas_state=;") }, "the state is spent")
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("Secure") && setCookie.contains("SameSite=Lax"), "Secure: served over https")
                let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
                let me = try await api.call(.get, "/api/v1/session", headers: [.cookie: cookie])
                #expect(me.problem["person_id"] as? Int == Int(api.template.account("requester").personId))

                let unknown = try await Self.signIn(api, as: "eleve.inconnu")
                #expect(unknown.status == .forbidden)
                #expect(unknown.text.contains("eleve.inconnu") && unknown.text.contains("not known"))
                #expect(!unknown.headers[values: .setCookie].contains { $0.hasPrefix("guichet_session=") }, "no session for an unknown user")

                let offsite = try await Self.signIn(api, as: api.template.account("agent").login, next: "https://evil.example/")
                #expect(offsite.headers[.location] == "/", "never sent to another site after sign-in")
                let tabbed = try await Self.signIn(api, as: api.template.account("agent").login, next: "/\t/evil.example")
                #expect(tabbed.headers[.location] == "/", "nor by a path a browser would read as another site")

                let log = try await AuditTests.entries(api, query: "&kind=signin.")
                #expect(log.contains { $0.kind == "signin.failure" && $0.detail?.contains("eleve.inconnu") == true })
                #expect(log.contains { $0.kind == "signin.success" && $0.detail?.contains("CAS") == true })
            }
        }
    }

    @Test("a service ticket works once, only for the service it was issued for, and only in the browser that started the sign-in")
    func replay() async throws {
        try await TestCASServer.run(users: [:]) { cas in
            try await withAPI(cas: CASService.Settings(serverURL: cas), publicURL: Self.publicURL) { api async throws in
                let (path, cookie) = try await Self.toCAS(api, as: api.template.account("agent").login, next: "/")
                #expect(try await api.call(.get, path).status == .forbidden, "a browser that did not start the sign-in (no state cookie)")
                #expect(try await api.call(.get, path, headers: [.cookie: cookie]).status == .seeOther)
                #expect(try await api.call(.get, path, headers: [.cookie: cookie]).status == .forbidden, "replayed")
                let (fresh, freshCookie) = try await Self.toCAS(api, as: api.template.account("agent").login, next: "/")
                let elsewhere = fresh.replacingOccurrences(of: "next=%2F", with: "next=%2Fother")
                #expect(try await api.call(.get, elsewhere, headers: [.cookie: freshCookie]).status == .forbidden, "for another service")
            }
        }
    }

    @Test("a CAS user is found by the e-mail attribute when so configured")
    func byEmail() async throws {
        try await withAPI { api async throws in
            let rows = try await api.database.client.query("SELECT email FROM people WHERE id = \(api.template.account("team_lead").personId)")
            var email = ""
            for try await value in rows.decode(String.self) { email = value }
            let mail = email
            try await TestCASServer.run(users: ["ent-7f3a9": mail]) { cas in
                try await withAPI(cas: CASService.Settings(serverURL: cas, match: .email), publicURL: Self.publicURL) { api async throws in
                    let done = try await Self.signIn(api, as: "ent-7f3a9")
                    #expect(done.status == .seeOther, "\(done.text)")
                }
            }
        }
    }
}
