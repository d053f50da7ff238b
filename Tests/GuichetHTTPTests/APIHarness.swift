import Foundation
import AsyncHTTPClient
import GuichetMail
import GuichetQueue
import GuichetServices
import GuichetStore
import GuichetTestSupport
import GuichetWorker
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus

@testable import GuichetHTTP

/// The API node in front of a fresh database, driven through the real router.
struct APIHarness: Sendable {
    let client: any TestClientProtocol
    let database: Database
    let template: TestDatabase.Template
    let state: NodeState
    let routes: [RouteTable.Route]

    func token(_ role: String) -> String { template.account(role).apiToken }

    /// Sends a request; `body` is sent as JSON text when given.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, as role: String? = nil, token: String? = nil, body: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let bearer = token ?? role.map(self.token) { headers[.authorization] = "Bearer \(bearer)" }
        if body != nil && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// Opens a ticket and returns it.
    func open(as role: String = "requester", body: String = #"{"kind":"incident","title":"Écran noir en salle 12","service":"logiciel"}"#)
        async throws -> TicketView
    {
        let response = try await call(.post, "/api/v1/tickets", as: role, body: body)
        guard response.status == .created else { throw HarnessError(response: response) }
        return try response.decode(TicketView.self)
    }

    /// Performs an action with the ticket's current version.
    func act(_ action: String, on ticket: TicketView, as role: String = "agent", body: String = "{}") async throws -> TestResponse {
        try await call(.post, "/api/v1/tickets/\(ticket.id)/actions/\(action)", as: role, body: body, headers: [.ifMatch: "\"\(ticket.version)\""])
    }

    /// A new ticket given to the service desk team (`take`: and taken by the demo agent).
    func openAtDesk(take: Bool = false) async throws -> TicketView {
        var ticket = try await open()
        let desk = try await AccessMatrixTests.teamID(self, code: "SD")
        ticket = try await act("assign", on: ticket, body: #"{"team_id":\#(desk)}"#).decode(TicketView.self)
        return take ? try await act("take", on: ticket).decode(TicketView.self) : ticket
    }

    func ticket(_ id: Int64, as role: String = "agent") async throws -> TicketView {
        try await call(.get, "/api/v1/tickets/\(id)", as: role).decode(TicketView.self)
    }

    /// Issues a token for another person of the directory.
    func tokenFor(personID: Int64) async throws -> String {
        try await database.client.withConnection { connection in
            try await DirectoryRepository(connection: connection, logger: TestDatabase.logger).issueToken(personID: personID, label: "test", scopes: [.read, .write], expiresAt: nil).token
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let response: TestResponse
    var description: String { "unexpected \(response.status): \(String(buffer: response.body))" }
}

extension TestResponse {
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.decoder().decode(T.self, from: Data(buffer: body))
    }

    /// The problem+json document, as loose JSON.
    var problem: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}

/// Runs `body` against an API node on a fresh database; with `worker`, a worker node runs beside it
/// (polling its queues every `pollInterval` when no notification wakes it), and with `mailFrom` that
/// worker sends notifications from this address to the test SMTP server.
func withAPI<Result: Sendable>(
    worker: Bool = false, mailFrom sender: MailAddress? = nil, pollInterval: Duration = .seconds(5), cas: CASService.Settings? = nil,
    publicURL: String? = nil, _ body: @Sendable (APIHarness) async throws -> Result
) async throws -> Result {
    let mail = try sender.map { WorkerHandlers.MailSettings(smtp: try TestMail.smtp(), sender: $0) }
    return try await withAPI(worker: worker, mail: mail, pollInterval: pollInterval, cas: cas, publicURL: publicURL, body)
}

/// The key of the test nodes and workers, as `GUICHET_SECRET_KEY` would give it.
let testSecrets = try! SecretBox(base64Key: "dGhlIHRlc3Qga2V5IG9mIEd1aWNoZXQncyBzdWl0ZSE=")

private func withAPI<Result: Sendable>(
    worker: Bool, mail: WorkerHandlers.MailSettings?, pollInterval: Duration, cas: CASService.Settings?, publicURL: String?,
    _ body: @Sendable (APIHarness) async throws -> Result
) async throws -> Result {
    try await TestDatabase.withFresh { database, template in
        let state = NodeState()
        let notifier = JobNotifier(client: database.client, logger: TestDatabase.logger)
        let desk = ServiceDesk(database: database, notifier: notifier, publicURL: publicURL, secrets: testSecrets, logger: TestDatabase.logger)
        let (router, table) = buildRouter(
            desk: desk, state: state, registry: PrometheusCollectorRegistry(), cas: cas, live: LiveFeed(database: database, logger: TestDatabase.logger),
            logger: TestDatabase.logger
        )
        let routes = table.routes
        let app = Application(router: router, logger: TestDatabase.logger)
        return try await app.test(.router) { client in
            let harness = APIHarness(client: client, database: database, template: template, state: state, routes: routes)
            let jobWorker = JobWorker(
                queue: desk.queue,
                handlers: WorkerHandlers.all(desk: desk, workerID: "api-test-worker", mail: mail),
                configuration: JobWorkerConfiguration(
                    workerID: "api-test-worker", queues: WorkerHandlers.queues(sendingMail: mail != nil), pollInterval: pollInterval
                ),
                logger: TestDatabase.logger
            )
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await notifier.run() }
                if worker || mail != nil { group.addTask { try await jobWorker.run() } }
                defer { group.cancelAll() }
                return try await body(harness)
            }
        }
    }
}
