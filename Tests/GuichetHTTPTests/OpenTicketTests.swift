import Foundation
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Testing

@Suite("Opening tickets")
struct OpenTicketTests {
    static let body = #"{"kind":"request","title":"Installer GeoGebra en salle 4","service":"logiciel","urgency":2}"#

    static func ticketCount(_ api: APIHarness) async throws -> Int {
        let rows = try await api.database.client.query("SELECT count(*) FROM tickets")
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return -1
    }

    @Test("a created ticket answers 201 with Location, ETag, its ref and the requester's establishment")
    func created() async throws {
        try await withAPI { api async throws in
            let response = try await api.call(.post, "/api/v1/tickets", as: "requester", body: Self.body)
            #expect(response.status == .created)
            let ticket = try response.decode(TicketView.self)
            #expect(response.headers[.location] == "/api/v1/tickets/\(ticket.id)")
            #expect(response.headers[.eTag] == "\"1\"")
            #expect(ticket.ref.hasPrefix("R-"))
            #expect(ticket.ref.count == 8)
            #expect(ticket.establishment.code == api.template.account("requester").organizationCode)
            #expect(ticket.origin == .api)
            #expect(ticket.priority == "P4")
            let byRef = try await api.call(.get, "/api/v1/tickets/\(ticket.ref)", as: "requester")
            #expect(byRef.status == .ok)
            #expect(try byRef.decode(TicketView.self).id == ticket.id)
            let unchanged = try await api.call(.get, "/api/v1/tickets/\(ticket.id)", as: "requester", headers: [.ifNoneMatch: "\"1\""])
            #expect(unchanged.status == .notModified)
        }
    }

    @Test("the same Idempotency-Key sent twice concurrently creates one ticket and answers both with it")
    func idempotentConcurrent() async throws {
        try await withAPI { api async throws in
            let responses = try await withThrowingTaskGroup(of: TestResponseSummary.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let response = try await api.call(
                            .post, "/api/v1/tickets", as: "requester", body: Self.body, headers: [.init("Idempotency-Key")!: "key-123"]
                        )
                        return TestResponseSummary(
                            status: response.status.code, id: try response.decode(TicketView.self).id,
                            replayed: response.headers[.init("Idempotent-Replayed")!] == "true"
                        )
                    }
                }
                return try await group.reduce(into: [TestResponseSummary]()) { $0.append($1) }
            }
            #expect(responses.allSatisfy { $0.status == 201 })
            #expect(Set(responses.map(\.id)).count == 1)
            #expect(responses.filter { !$0.replayed }.count == 1)
            #expect(try await Self.ticketCount(api) == 1)
        }
    }

    @Test("the same Idempotency-Key with another body is refused with 422, and creates nothing")
    func idempotentMismatch() async throws {
        try await withAPI { api async throws in
            let key: HTTPFields = [.init("Idempotency-Key")!: "key-xyz"]
            #expect(try await api.call(.post, "/api/v1/tickets", as: "requester", body: Self.body, headers: key).status == .created)
            let other = try await api.call(
                .post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"Autre chose"}"#, headers: key
            )
            #expect(other.status == .unprocessableContent)
            #expect((other.problem["type"] as? String)?.hasSuffix("/idempotency-key-reused") == true)
            #expect(try await Self.ticketCount(api) == 1)
        }
    }

    @Test("idempotency keys belong to their caller: another person may use the same key")
    func idempotencyPerCaller() async throws {
        try await withAPI { api async throws in
            let key: HTTPFields = [.init("Idempotency-Key")!: "shared"]
            #expect(try await api.call(.post, "/api/v1/tickets", as: "requester", body: Self.body, headers: key).status == .created)
            #expect(try await api.call(.post, "/api/v1/tickets", as: "local_correspondent", body: Self.body, headers: key).status == .created)
            #expect(try await Self.ticketCount(api) == 2)
        }
    }

    @Test("staff record a phone call on behalf of a requester; a requester cannot")
    func onBehalf() async throws {
        try await withAPI { api async throws in
            let requester = api.template.account("requester")
            let phone = try await api.open(
                as: "agent", body: #"{"kind":"incident","title":"Appel: plus d'internet","origin":"phone","requester_id":\#(requester.personId)}"#
            )
            #expect(phone.requester.id == requester.personId)
            #expect(phone.origin == .phone)
            #expect(phone.establishment.code == requester.organizationCode)
            let other = api.template.account("local_correspondent").personId
            let refused = try await api.call(
                .post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"x","requester_id":\#(other)}"#
            )
            #expect(refused.status == .forbidden)
        }
    }

    @Test("a requester cannot open a ticket for another establishment")
    func ownEstablishmentOnly() async throws {
        try await withAPI { api async throws in
            let response = try await api.call(
                .post, "/api/v1/tickets", as: "requester", body: #"{"kind":"incident","title":"x","establishment":"0180001D"}"#
            )
            #expect(response.status == .unprocessableContent)
        }
    }
}

struct TestResponseSummary: Sendable {
    let status: Int
    let id: Int64
    let replayed: Bool
}
