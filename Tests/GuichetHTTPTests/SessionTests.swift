import Foundation
import GuichetServices
import GuichetStore
import GuichetTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Sign-in and sessions")
struct SessionTests {
    struct SignedIn {
        let cookie: String
        let csrf: String
        let setCookie: String
    }

    static func signIn(_ api: APIHarness, _ role: String, password: String? = nil, cookie: String? = nil) async throws -> TestResponse {
        let account = api.template.account(role)
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        let body = #"{"login":"\#(account.login)","password":"\#(password ?? account.password)"}"#
        return try await api.call(.post, "/api/v1/session", body: body, headers: headers)
    }

    static func session(_ response: TestResponse) throws -> SignedIn {
        let setCookie = try #require(response.headers[.setCookie])
        let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
        let csrf = try #require(response.problem["csrf_token"] as? String)
        return SignedIn(cookie: cookie, csrf: csrf, setCookie: setCookie)
    }

    @Test("signing in sets a new HttpOnly, SameSite=Lax session cookie; the session reads, and writes only with its CSRF token")
    func signInAndCSRF() async throws {
        try await withAPI { api async throws in
            let response = try await Self.signIn(api, "requester")
            #expect(response.status == .created)
            let session = try Self.session(response)
            #expect(session.setCookie.contains("HttpOnly") && session.setCookie.contains("SameSite=Lax") && session.setCookie.contains("Path=/"))
            #expect(session.cookie.count > "guichet_session=".count + 20, "128 random bits at least")
            let rows = try await api.database.client.query("SELECT count(*) FROM sessions WHERE token_hash = \(SessionToken.hash(String(session.cookie.dropFirst("guichet_session=".count))))")
            for try await count in rows.decode(Int64.self) { #expect(count == 1, "the session is found by the hash of its token") }

            #expect(try await api.call(.get, "/api/v1/tickets", headers: [.cookie: session.cookie]).status == .ok)
            let body = #"{"kind":"request","title":"Clavier"}"#
            #expect(try await api.call(.post, "/api/v1/tickets", body: body, headers: [.cookie: session.cookie]).status == .forbidden, "no CSRF token")
            let wrong: HTTPFields = [.cookie: session.cookie, .init("X-CSRF-Token")!: "forged"]
            #expect(try await api.call(.post, "/api/v1/tickets", body: body, headers: wrong).status == .forbidden, "a wrong CSRF token")
            let right: HTTPFields = [.cookie: session.cookie, .init("X-CSRF-Token")!: session.csrf]
            #expect(try await api.call(.post, "/api/v1/tickets", body: body, headers: right).status == .created)
        }
    }

    @Test("unknown login and wrong password get the same answer; a session cookie planted before sign-in is not the one signed in")
    func failuresAndFixation() async throws {
        try await withAPI { api async throws in
            let wrong = try await Self.signIn(api, "requester", password: "not the password")
            let unknown = try await api.call(.post, "/api/v1/session", body: #"{"login":"nobody.here","password":"whatever it is"}"#)
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.problem["detail"] as? String == unknown.problem["detail"] as? String)

            let planted = "guichet_session=attacker-chosen-value"
            let session = try Self.session(try await Self.signIn(api, "requester", cookie: planted))
            #expect(session.cookie != planted)
            #expect(try await api.call(.get, "/api/v1/tickets", headers: [.cookie: planted]).status == .unauthorized)
        }
    }

    @Test("logout, disabling the account and expiry end sessions on every node at once")
    func endings() async throws {
        try await withAPI { api async throws in
            let first = try Self.session(try await Self.signIn(api, "requester"))
            let second = try Self.session(try await Self.signIn(api, "requester"))
            let logout = try await api.call(.delete, "/api/v1/session", headers: [.cookie: first.cookie, .init("X-CSRF-Token")!: first.csrf])
            #expect(logout.status == .noContent)
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await api.call(.get, "/api/v1/session", headers: [.cookie: first.cookie]).status == .unauthorized)
            #expect(try await api.call(.get, "/api/v1/session", headers: [.cookie: second.cookie]).status == .ok, "the other session lives on")

            try await AccountService(database: api.database, logger: TestDatabase.logger)
                .setDisabled(true, login: api.template.account("requester").login, by: .commandLine)
            #expect(try await api.call(.get, "/api/v1/session", headers: [.cookie: second.cookie]).status == .unauthorized)
            let rows = try await api.database.client.query("SELECT count(*) FROM sessions WHERE person_id = \(api.template.account("requester").personId)")
            for try await count in rows.decode(Int64.self) { #expect(count == 0, "disabling deleted every session of the account") }

            let agent = try Self.session(try await Self.signIn(api, "agent"))
            try await api.database.client.query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
            #expect(try await api.call(.get, "/api/v1/session", headers: [.cookie: agent.cookie]).status == .unauthorized, "idle too long")
            let lead = try Self.session(try await Self.signIn(api, "team_lead"))
            try await api.database.client.query("UPDATE sessions SET expires_at = now() - interval '1 second'")
            #expect(try await api.call(.get, "/api/v1/session", headers: [.cookie: lead.cookie]).status == .unauthorized, "past its absolute expiry")
        }
    }

    @Test("20 concurrent wrong attempts on one account: exactly 5 are checked, the others throttled, and the right password waits too")
    func throttling() async throws {
        try await withAPI { api async throws in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 { group.addTask { try await Self.signIn(api, "agent", password: "guessing wrongly").status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 15)
            let right = try await Self.signIn(api, "agent")
            #expect(right.status == .tooManyRequests)
            #expect(right.headers[.retryAfter] != nil)
            #expect(try await Self.signIn(api, "team_lead").status == .created, "another account is not throttled")

            let log = try await AuditTests.entries(api, query: "&kind=signin.")
            #expect(log.filter { $0.kind == "signin.failure" }.count == 5)
            #expect(log.filter { $0.kind == "signin.throttled" }.count == 16)
            #expect(log.contains { $0.kind == "signin.success" && $0.actorId == api.template.account("team_lead").personId })
        }
    }

    @Test("the purge deletes ended sessions, closed throttle windows and spent reset tokens, and keeps live ones")
    func purge() async throws {
        try await withAPI { api async throws in
            let live = try Self.session(try await Self.signIn(api, "agent"))
            _ = try Self.session(try await Self.signIn(api, "team_lead"))
            _ = try await Self.signIn(api, "requester", password: "wrong password")
            try await api.database.client.query(
                "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE person_id = \(api.template.account("team_lead").personId)"
            )
            try await api.database.client.query("UPDATE login_throttle SET window_started_at = now() - interval '2 days'")
            let purged = try await SessionService(database: api.database, logger: TestDatabase.logger).purge()
            #expect(purged >= 2)
            #expect(try await api.call(.get, "/api/v1/session", headers: [.cookie: live.cookie]).status == .ok)
            let throttle = try await api.database.client.query("SELECT count(*) FROM login_throttle")
            for try await count in throttle.decode(Int64.self) { #expect(count == 0, "the closed window is gone") }
            let sessions = try await api.database.client.query("SELECT count(*) FROM sessions")
            for try await count in sessions.decode(Int64.self) { #expect(count == 1, "only the live session is left") }
        }
    }
}
