import Foundation
@testable import GuichetServices
import GuichetStore
import GuichetTestSupport
import PostgresNIO
import Testing

@Suite("Demo data")
struct DemoSeederTests {
    static func count(_ database: Database, _ sql: String) async throws -> Int {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql))
        for try await value in rows.decode(Int64.self) { return Int(value) }
        return -1
    }

    @Test("the demo directory covers Centre-Val de Loire: 180 establishments over six départements, partners, teams, agents and requesters")
    func directory() async throws {
        try await TestDatabase.withFresh { database, template in
            #expect(try await Self.count(database, "SELECT count(*) FROM organizations WHERE kind = 'establishment'") == 180)
            #expect(try await Self.count(database, "SELECT count(DISTINCT department_code) FROM organizations WHERE kind = 'establishment'") == 6)
            #expect(try await Self.count(database, "SELECT count(*) FROM organizations WHERE code !~ '^0[0-9]{6}[A-Z]$' AND kind = 'establishment'") == 0)
            #expect(try await Self.count(database, "SELECT count(*) FROM organizations WHERE kind = 'partner'") == 8)
            #expect(try await Self.count(database, "SELECT count(*) FROM organizations WHERE kind = 'contractor'") == 1)
            #expect(try await Self.count(database, "SELECT count(*) FROM teams WHERE kind = 'field'") == 6)
            let agents = try await Self.count(database, "SELECT count(DISTINCT person_id) FROM team_members")
            #expect((25...35).contains(agents))
            let requesters = try await Self.count(
                database, "SELECT count(*) FROM people p JOIN organizations o ON o.id = p.organization_id WHERE o.kind = 'establishment'"
            )
            #expect((450...550).contains(requesters))
            #expect(try await Self.count(database, "SELECT count(*) FROM services") >= 6)
            #expect(Set(template.accounts.map(\.role)) == [
                "requester", "local_correspondent", "agent", "team_lead", "partner_viewer", "contractor_agent", "administrator", "monitoring",
            ])
            let monitoring = try #require(template.accounts.first { $0.role == "monitoring" })
            #expect(monitoring.password.isEmpty, "the monitoring source never signs in")
            let scopes = try await database.client.query("SELECT scopes FROM api_tokens WHERE person_id = \(monitoring.personId) AND revoked_at IS NULL")
            for try await scopes in scopes.decode([String].self) { #expect(scopes == ["alerts"], "its token only sends alerts") }
        }
    }

    @Test("seeding again adds nothing, and issues new demo credentials that replace the old ones")
    func rerun() async throws {
        try await TestDatabase.withFresh { database, template in
            let before = try await Self.count(database, "SELECT count(*) FROM people")
            let again = try await DemoSeeder(database: database, logger: TestDatabase.logger).run()
            #expect(try await Self.count(database, "SELECT count(*) FROM people") == before)
            let old = template.account("agent")
            let new = try #require(again.first { $0.role == "agent" })
            #expect(new.personId == old.personId)
            #expect(new.apiToken != old.apiToken)
            let live = try await Self.count(
                database, "SELECT count(*) FROM api_tokens WHERE person_id = \(old.personId) AND revoked_at IS NULL"
            )
            #expect(live == 1)
        }
    }

    @Test("UAI check letters follow the national rule")
    func uai() {
        // 450001 mod 23 = 6: the seventh letter of ABCDEFGHJKLMNPRSTUVWXYZ
        #expect(DemoData.uai(department: "45", number: 1) == "0450001G")
        // 180023 mod 23 = 2: C
        #expect(DemoData.uai(department: "18", number: 23) == "0180023C")
    }
}
