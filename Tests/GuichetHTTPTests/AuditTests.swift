import Foundation
import GuichetDomain
import GuichetServices
import GuichetStore
import GuichetTestSupport
import HTTPTypes
import PostgresNIO
import Testing

@Suite("Audit log and accounts")
struct AuditTests {
    static func entries(_ api: APIHarness, query: String = "") async throws -> [AuditEntryView] {
        let response = try await api.call(.get, "/api/v1/audit?limit=200" + query, as: "administrator")
        #expect(response.status == .ok, "\(response.text)")
        return try response.decode(AuditPage.self).items
    }

    @Test("ticket changes, refusals and refused tokens are in the audit log with their actor and request id")
    func securityEvents() async throws {
        try await withAPI { api async throws in
            let opened = try await api.call(.post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"Panne"}"#)
            let ticket = try opened.decode(TicketView.self)
            let requestID = try #require(opened.headers[.init("X-Request-Id")!])
            _ = try await api.call(.post, "/api/v1/tickets/\(ticket.id)/actions/assign", as: "requester", body: "{}", headers: [.ifMatch: "\"1\""])
            _ = try await api.call(.get, "/api/v1/tickets", token: "gch_forged")
            _ = try await api.call(.get, "/api/v1/audit", as: "agent")

            let log = try await Self.entries(api)
            let created = try #require(log.first { $0.kind == "ticket.created" && $0.objectId == "\(ticket.id)" })
            #expect(created.actorId == api.template.account("requester").personId)
            #expect(created.requestId == requestID)
            let denied = log.filter { $0.kind == "access.denied" }
            #expect(denied.contains { $0.actorId == api.template.account("requester").personId && $0.detail?.contains("/actions/assign") == true })
            #expect(denied.contains { $0.actorId == api.template.account("agent").personId && $0.detail?.contains("/audit") == true })
            #expect(log.contains { $0.kind == "auth.token_refused" && $0.actorId == nil })
            #expect(!log.contains { $0.detail?.contains("gch_forged") == true }, "a presented token is never written down")

            let filtered = try await Self.entries(api, query: "&kind=access.")
            #expect(!filtered.isEmpty && filtered.allSatisfy { $0.kind.hasPrefix("access.") })
            #expect(try await api.call(.get, "/api/v1/audit?since=yesterday", as: "administrator").status == .badRequest)
        }
    }

    @Test("no one can change or delete the audit log, not even with SQL")
    func appendOnly() async throws {
        try await withAPI { api async throws in
            _ = try await api.open()
            await #expect(throws: PSQLError.self) { try await api.database.client.query("UPDATE audit_log SET kind = 'forged'") }
            await #expect(throws: PSQLError.self) { try await api.database.client.query("DELETE FROM audit_log") }
            await #expect(throws: PSQLError.self) { try await api.database.client.query("TRUNCATE audit_log") }
        }
    }

    @Test("operators add, disable and re-role accounts and manage tokens; each change is audited and a disabled account's tokens stop at once")
    func accounts() async throws {
        try await withAPI { api async throws in
            let accounts = AccountService(database: api.database, logger: TestDatabase.logger)
            let uai = api.template.account("requester").organizationCode
            let user = AccountService.NewUser(login: "j.martin", name: "Jeanne Martin", email: "j.martin@example.org", organizationCode: uai, roles: [.requester])
            await #expect(throws: ServiceError.self) { try await accounts.add(user, password: "short", by: .commandLine) }
            let personID = try await accounts.add(user, password: "correct horse battery staple", by: .commandLine)
            await #expect(throws: ServiceError.self, "a login is unique") { try await accounts.add(user, password: nil, by: .commandLine) }
            await #expect(throws: ServiceError.self, "only an admin's token has the admin scope") {
                try await accounts.createToken(login: "j.martin", label: "x", scopes: [.admin], days: nil, by: .commandLine)
            }
            let (record, token) = try await accounts.createToken(login: "j.martin", label: "scripts", scopes: [.read], days: 30, by: .commandLine)
            #expect(record.expiresAt != nil && record.scopes == [.read])
            #expect(try await api.call(.get, "/api/v1/tickets", token: token).status == .ok)

            try await accounts.setDisabled(true, login: "j.martin", by: .commandLine)
            #expect(try await api.call(.get, "/api/v1/tickets", token: token).status == .unauthorized)
            try await accounts.setDisabled(false, login: "j.martin", by: .commandLine)
            #expect(try await api.call(.get, "/api/v1/tickets", token: token).status == .ok)
            try await accounts.revokeToken(id: record.id, owner: nil, by: .commandLine)
            #expect(try await api.call(.get, "/api/v1/tickets", token: token).status == .unauthorized)
            try await accounts.setRoles([.requester, .correspondent], login: "j.martin", by: .commandLine)

            let log = try await Self.entries(api, query: "&object_id=\(personID)")
            #expect(Set(log.map(\.kind)).isSuperset(of: ["account.created", "account.disabled", "account.enabled", "account.roles_changed"]))
            let roles = try #require(log.first { $0.kind == "account.roles_changed" })
            #expect(roles.before?.contains("requester") == true && roles.after?.contains("correspondent") == true)
            #expect(roles.detail == "command line")
            let tokens = try await Self.entries(api, query: "&kind=token.")
            #expect(Set(tokens.map(\.kind)) == ["token.created", "token.revoked"])
            #expect(!tokens.contains { ($0.after ?? "").contains(token) }, "the token itself is never in the log")
        }
    }
}
