import Foundation
import GuichetDomain
import GuichetQueue
import GuichetServices
import GuichetStore
import GuichetTestSupport
import PostgresNIO
import Testing

@Suite("Store")
struct StoreTests {
    @Test("ticket history is append-only: the database refuses to change or delete an event")
    func appendOnly() async throws {
        try await TestDatabase.withFresh { database, template in
            let principal = Principal(personID: template.account("requester").personId, organizationID: 0, roles: [.requester])
            _ = try await TicketService(database: database, notifier: JobNotifier(client: database.client, logger: TestDatabase.logger), logger: TestDatabase.logger)
                .open(OpenTicketRequest(kind: .incident, title: "Panne"), by: principal, idempotencyKey: nil)
            await #expect(throws: PSQLError.self) { try await database.client.query("UPDATE ticket_events SET kind = 'forged'") }
            await #expect(throws: PSQLError.self) { try await database.client.query("DELETE FROM ticket_events") }
            let rows = try await database.client.query("SELECT count(*) FROM ticket_events WHERE kind = 'created'")
            for try await count in rows.decode(Int64.self) { #expect(count == 1) }
        }
    }

    @Test("the database refuses a ticket state without the fields it requires")
    func stateInvariants() async throws {
        try await TestDatabase.withFresh { database, template in
            let principal = Principal(personID: template.account("requester").personId, organizationID: 0, roles: [.requester])
            let ticket = try await TicketService(database: database, notifier: JobNotifier(client: database.client, logger: TestDatabase.logger), logger: TestDatabase.logger)
                .open(OpenTicketRequest(kind: .incident, title: "Panne"), by: principal, idempotencyKey: nil)
            await #expect(throws: PSQLError.self) {
                try await database.client.query("UPDATE tickets SET status = 'in_progress' WHERE id = \(ticket.ticket.id)")
            }
            await #expect(throws: PSQLError.self) {
                try await database.client.query("UPDATE tickets SET status = 'resolved' WHERE id = \(ticket.ticket.id)")
            }
        }
    }

    @Test("API tokens are stored only as hashes, and passwords as salted bcrypt")
    func secrets() async throws {
        try await TestDatabase.withFresh { database, template in
            let account = template.account("agent")
            let rows = try await database.client.query(
                """
                SELECT encode(t.token_hash, 'hex'), a.password_hash FROM api_tokens t JOIN accounts a ON a.person_id = t.person_id
                WHERE t.person_id = \(account.personId) AND t.revoked_at IS NULL
                """
            )
            var checked = false
            for try await (hash, password) in rows.decode((String, String).self) {
                #expect(!hash.contains(account.apiToken))
                #expect(hash == APIToken.hash(account.apiToken).map { String(format: "%02x", $0) }.joined())
                #expect(password.hasPrefix("$2") && password.contains("$12$"), "bcrypt at cost 12")
                #expect(!password.contains(account.password))
                #expect(PasswordHash.verify(account.password, against: password))
                #expect(!PasswordHash.verify(account.password + "x", against: password))
                checked = true
            }
            #expect(checked)
            #expect(!PasswordHash.verify("anything", against: PasswordHash.locked))
        }
    }

    @Test("database URLs are parsed with their parts, and refused with a reason")
    func databaseURL() throws {
        let url = try DatabaseURL("postgres://guichet:s%40cret@db.local:6543/desk?sslmode=require")
        #expect(url.username == "guichet")
        #expect(url.password == "s@cret")
        #expect(url.host == "db.local")
        #expect(url.port == 6543)
        #expect(url.database == "desk")
        #expect(!url.description.contains("cret"))
        let socket = try DatabaseURL("postgres://guichet@/desk?host=/run/pg")
        #expect(socket.socketDirectory == "/run/pg")
        #expect(throws: DatabaseURLError.self) { try DatabaseURL("mysql://x@y/z") }
        #expect(throws: DatabaseURLError.self) { try DatabaseURL("postgres://x@y:5432") }
        #expect(throws: DatabaseURLError.self) { try DatabaseURL("postgres://x@y/z?sslmode=sometimes") }
    }
}
