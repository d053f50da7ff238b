import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A small CAS server for the tests, speaking the real protocol over HTTP: `/login` signs the
/// browser in (the user named by `as`, standing for the credentials a person types) and sends it
/// back to the service with a single-use service ticket; `/p3/serviceValidate` answers with the
/// CAS 3 XML for that ticket and service.
final class TestCASServer: Sendable {
    struct Issued {
        let service: String
        let user: String
        var used = false
    }

    let users: [String: String]
    private let tickets = Mutex<[String: Issued]>([:])

    init(users: [String: String]) {
        self.users = users
    }

    /// Runs the server on a free port of the loopback for the time of `body`.
    static func run<Result: Sendable>(users: [String: String], _ body: @Sendable (String) async throws -> Result) async throws -> Result {
        let server = TestCASServer(users: users)
        let (portStream, portSink) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        router.get("cas/login") { request, _ in server.login(request) }
        router.get("cas/p3/serviceValidate") { request, _ in server.validate(request) }
        var logger = Logger(label: "test-cas")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) }, logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            var port = 0
            for await bound in portStream {
                port = bound
                break
            }
            return try await body("http://127.0.0.1:\(port)/cas")
        }
    }

    func login(_ request: Request) -> Response {
        guard let service = request.uri.queryParameters.get("service"), let user = request.uri.queryParameters.get("as") else {
            return Response(status: .badRequest)
        }
        let ticket = "ST-\(UUID().uuidString)"
        tickets.withLock { $0[ticket] = Issued(service: service, user: user) }
        return Response(status: .found, headers: [.location: service + (service.contains("?") ? "&" : "?") + "ticket=\(ticket)"])
    }

    func validate(_ request: Request) -> Response {
        let service = request.uri.queryParameters.get("service") ?? ""
        let ticket = request.uri.queryParameters.get("ticket") ?? ""
        let outcome = tickets.withLock { tickets -> Issued? in
            guard var issued = tickets[ticket], !issued.used, issued.service == service else { return nil }
            issued.used = true
            tickets[ticket] = issued
            return issued
        }
        let body: String
        if let outcome {
            let mail = users[outcome.user].map { "<cas:attributes><cas:mail>\($0)</cas:mail></cas:attributes>" } ?? ""
            body = """
                <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
                  <cas:authenticationSuccess><cas:user>\(outcome.user)</cas:user>\(mail)</cas:authenticationSuccess>
                </cas:serviceResponse>
                """
        } else {
            body = """
                <cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
                  <cas:authenticationFailure code="INVALID_TICKET">Ticket \(ticket) not recognized</cas:authenticationFailure>
                </cas:serviceResponse>
                """
        }
        return Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// What a browser does at the CAS login: follows `location` there as `user`, and returns where
    /// the CAS server sends it back to.
    static func browserSignIn(at location: String, as user: String) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            let response = try await client.execute(HTTPClientRequest(url: location + "&as=\(user)"), timeout: .seconds(10))
            try await client.shutdown()
            return response.headers.first(name: "location") ?? ""
        } catch {
            try await client.shutdown()
            throw error
        }
    }
}
