import Foundation
import GuichetTestSupport
import HTTPTypes
import Testing

@Suite("Bad input gets a 4xx problem, never a 500")
struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        let body: String?
        var headers: HTTPFields = [:]
        let status: Int
        var description: String { "\(method) \(path) \(body ?? "")" }
    }

    static let cases: [Case] = [
        // opening
        Case(method: .post, path: "/api/v1/tickets", body: "", status: 400),
        Case(method: .post, path: "/api/v1/tickets", body: "{not json", status: 400),
        Case(method: .post, path: "/api/v1/tickets", body: "[1,2]", status: 400),
        Case(method: .post, path: "/api/v1/tickets", body: "{}", status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident"}"#, status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"accident","title":"x"}"#, status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":42}"#, status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x","impact":"high"}"#, status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x","impact":7}"#, status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x","service":"nope"}"#, status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x","establishment":"9999999Z"}"#, status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":null}"#, status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: "{\"kind\":\"incident\",\"title\":\"\(String(repeating: "x", count: 201))\"}", status: 422),
        Case(method: .post, path: "/api/v1/tickets", body: "{\"kind\":\"incident\",\"title\":\"x\",\"description\":\"\(String(repeating: "x", count: 70_000))\"}", status: 413),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x"}"#, headers: [.contentType: "text/plain"], status: 415),
        Case(method: .post, path: "/api/v1/tickets", body: #"{"kind":"incident","title":"x"}"#, headers: [.init("Idempotency-Key")!: ""], status: 422),
        // reading
        Case(method: .get, path: "/api/v1/tickets/999999", body: nil, status: 404),
        Case(method: .get, path: "/api/v1/tickets/I-999999", body: nil, status: 404),
        Case(method: .get, path: "/api/v1/tickets/not-a-ticket", body: nil, status: 404),
        Case(method: .get, path: "/api/v1/tickets/-1", body: nil, status: 404),
        Case(method: .get, path: "/api/v1/tickets/99999999999999999999999", body: nil, status: 404),
        Case(method: .get, path: "/api/v1/tickets/1/history", body: nil, status: 404),
        Case(method: .get, path: "/api/v1/tickets?status=open", body: nil, status: 400),
        Case(method: .get, path: "/api/v1/tickets?team=abc", body: nil, status: 400),
        Case(method: .get, path: "/api/v1/tickets?priority=P9", body: nil, status: 400),
        Case(method: .get, path: "/api/v1/tickets?kind=problem", body: nil, status: 400),
        Case(method: .get, path: "/api/v1/tickets?limit=0", body: nil, status: 400),
        Case(method: .get, path: "/api/v1/tickets?limit=1000", body: nil, status: 400),
        Case(method: .get, path: "/api/v1/tickets?cursor=garbage", body: nil, status: 422),
        Case(method: .get, path: "/api/v1/tickets?establishment=ZZZ", body: nil, status: 422),
        // acting and commenting on what does not exist
        Case(method: .post, path: "/api/v1/tickets/999999/actions/take", body: "{}", headers: [.ifMatch: "\"1\""], status: 404),
        Case(method: .post, path: "/api/v1/tickets/999999/actions/explode", body: "{}", headers: [.ifMatch: "\"1\""], status: 404),
        Case(method: .post, path: "/api/v1/tickets/999999/comments", body: #"{"body":"hello"}"#, status: 404),
        Case(method: .post, path: "/api/v1/tickets/999999/comments", body: #"{"body":17}"#, status: 422),
        Case(method: .post, path: "/api/v1/nowhere", body: "{}", status: 404),
    ]

    @Test("every malformed request is answered with the right 4xx as problem+json", arguments: cases)
    func badInput(_ badCase: Case) async throws {
        try await withAPI { api async throws in
            let response = try await api.call(badCase.method, badCase.path, as: "agent", body: badCase.body, headers: badCase.headers)
            #expect(response.status.code == badCase.status, "\(response.text.prefix(300))")
            if response.status.code != 404 || badCase.path.hasPrefix("/api/v1/tickets") {
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.problem["status"] as? Int == badCase.status)
                #expect(response.problem["title"] is String)
            }
            #expect(!response.text.contains("PSQLError"))
            #expect(!response.text.lowercased().contains("select "))
        }
    }

    @Test("a validation problem names every offending field")
    func fieldsNamed() async throws {
        try await withAPI { api async throws in
            let response = try await api.call(.post, "/api/v1/tickets", as: "agent", body: #"{"impact":9,"urgency":0}"#)
            #expect(response.status == .unprocessableContent)
            let fields = (response.problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(Set(fields) == ["title", "kind", "impact", "urgency"])
        }
    }

    @Test("a wrong type names the field in snake_case")
    func typeMismatchField() async throws {
        try await withAPI { api async throws in
            let response = try await api.call(.post, "/api/v1/tickets", as: "agent", body: #"{"kind":"incident","title":"x","requester_id":"me"}"#)
            #expect(response.status == .unprocessableContent)
            #expect((response.problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "requester_id")
        }
    }
}
