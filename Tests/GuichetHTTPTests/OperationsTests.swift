import Foundation
import GuichetTestSupport
import HTTPTypes
import Testing

@testable import GuichetHTTP

@Suite("Contract, health and metrics")
struct OperationsTests {
    @Test("every route the server has is in the OpenAPI document, and every documented operation is served")
    func openAPIMatchesRoutes() async throws {
        try await withAPI { api async throws in
            let response = try await api.call(.get, "/api/v1/openapi.json")
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
            let documented = Set(paths.flatMap { path, operations in operations.keys.filter(methods.contains).map { "\($0) \(path)" } })
            let served = Set(api.routes.map(\.description))
            #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented))")
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served))")
        }
    }

    @Test("liveness answers; readiness is true with the database and false while draining")
    func health() async throws {
        try await withAPI { api async throws in
            #expect(try await api.call(.get, "/health/live").status == .ok)
            // the node's first connection may take longer than the readiness probe's 2 s on a
            // machine busy with the other suites: open it first
            try await api.database.client.query("SELECT 1")
            #expect(try await api.call(.get, "/health/ready").status == .ok)
            api.state.startDraining()
            let draining = try await api.call(.get, "/health/ready")
            #expect(draining.status == .serviceUnavailable)
            #expect(draining.text.contains("draining"))
            #expect(try await api.call(.get, "/health/live").status == .ok)
        }
    }

    @Test("metrics show the queue depth per queue and state")
    func metrics() async throws {
        try await withAPI { api async throws in
            let empty = try await api.call(.get, "/metrics")
            #expect(empty.text.contains(#"guichet_queue_jobs{queue="assignment",state="pending"} 0"#), "an empty queue reports 0")
            _ = try await api.open()
            let response = try await api.call(.get, "/metrics")
            #expect(response.status == .ok)
            #expect(response.text.contains(#"guichet_queue_jobs{queue="assignment",state="pending"} 1"#), "\(response.text.prefix(500))")
        }
    }

    @Test("every response carries a request id")
    func requestID() async throws {
        try await withAPI { api async throws in
            let ok = try await api.call(.get, "/health/live")
            let failed = try await api.call(.get, "/api/v1/tickets")
            #expect(ok.headers[.init("X-Request-Id")!]?.isEmpty == false)
            #expect(failed.headers[.init("X-Request-Id")!]?.isEmpty == false)
        }
    }
}
