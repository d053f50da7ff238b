import Crypto
import Foundation
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A real HTTP receiver on loopback: fails its first request with 500, then accepts.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let headers: HTTPFields
        let body: Data
    }

    let requests = Mutex<[Received]>([])
    let port = Atomic<Int>(0)

    func run() async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1_048_576)
            let count = self.requests.withLock { requests in
                requests.append(Received(headers: request.headers, body: Data(buffer: body)))
                return requests.count
            }
            return Response(status: count == 1 ? .internalServerError : .noContent)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))) { channel in
            self.port.store(channel.localAddress?.port ?? 0, ordering: .relaxed)
        }
        try await app.runService()
    }

    var received: [Received] { requests.withLock { $0 } }
}

@Suite("Webhooks")
struct WebhookTests {
    struct Created: Decodable {
        let id: Int64
        let secret: String
    }

    @Test("only administrators subscribe; internal targets and unknown events are refused with the reason; secrets are never listed")
    func subscriptions() async throws {
        try await withAPI { api async throws in
            let body = #"{"url":"https://203.0.113.10/hook","events":["created"]}"#
            #expect(try await api.call(.post, "/api/v1/webhooks", as: "agent", body: body).status == .forbidden)
            for target in ["http://127.0.0.1:9000/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest", "http://localhost/x"] {
                let refused = try await api.call(.post, "/api/v1/webhooks", as: "administrator", body: #"{"url":"\#(target)","events":["created"]}"#)
                #expect(refused.status == .unprocessableContent, "\(target)")
                #expect(refused.text.contains("private"), "\(target): \(refused.text)")
            }
            // other spellings of internal addresses, names that resolve inside, and URLs that parsers read differently
            let disguised = [
                "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/", "http://0/", "http://0xa9fea9fe/",
                "http://167772161/", "http://127.0.0.1./", "http://localhost./", "http://127%2E0%2E0%2E1/", "http://127.0.0.1:8080\\\\@public.invalid/",
                "http://user:pw@203.0.113.10/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1%25eth0]/", "http://nowhere.invalid/",
                "http://ip6-localhost/", "http://0300.0250.0.1/", "http://10.0.0.1.nip/x", "javascript:alert(1)",
            ]
            for target in disguised {
                let refused = try await api.call(.post, "/api/v1/webhooks", as: "administrator", body: #"{"url":"\#(target)","events":["created"]}"#)
                #expect(refused.status == .unprocessableContent, "\(target): \(refused.text)")
            }
            let unknown = try await api.call(.post, "/api/v1/webhooks", as: "administrator", body: #"{"url":"https://203.0.113.10/h","events":["noted"]}"#)
            #expect(unknown.status == .unprocessableContent)
            let created = try await api.call(.post, "/api/v1/webhooks", as: "administrator", body: body)
            #expect(created.status == .created)
            let secret = try created.decode(Created.self).secret
            #expect(secret.hasPrefix("whsec_"))
            let list = try await api.call(.get, "/api/v1/webhooks", as: "administrator")
            #expect(list.text.contains("203.0.113.10") && !list.text.contains(secret))
            let stored = try await api.database.client.query("SELECT secret FROM webhook_subscriptions")
            for try await kept in stored.decode(String.self) {
                #expect(kept.hasPrefix("sealed:v1:") && !kept.contains(secret), "the secret is kept sealed")
                #expect(try testSecrets.open(kept) == secret)
            }
            let id = try created.decode(Created.self).id
            #expect(try await api.call(.delete, "/api/v1/webhooks/\(id)", as: "administrator").status == .noContent)
            #expect(try await api.call(.delete, "/api/v1/webhooks/\(id)", as: "administrator").status == .notFound)
        }
    }

    @Test("events reach the receiver signed, retried after a failure under the same delivery id; internal notes never leave")
    func deliveries() async throws {
        let receiver = WebhookReceiver()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await receiver.run() }
            defer { group.cancelAll() }
            while receiver.port.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            try await withAPI(worker: true) { api async throws in
                let url = "http://127.0.0.1:\(receiver.port.load(ordering: .relaxed))/hook"
                let subscription = try await api.call(
                    .post, "/api/v1/webhooks", as: "administrator", body: #"{"url":"\#(url)","events":["created","commented"],"allow_private":true}"#
                )
                #expect(subscription.status == .created, "\(subscription.text)")
                let secret = try subscription.decode(Created.self).secret
                let ticket = try await api.open()
                let comments = "/api/v1/tickets/\(ticket.id)/comments"
                #expect(try await api.call(.post, comments, as: "agent", body: #"{"body":"secret interne","visibility":"internal"}"#).status == .created)
                #expect(try await api.call(.post, comments, as: "agent", body: #"{"body":"Réponse publique"}"#).status == .created)
                let deadline = ContinuousClock.now + .seconds(20)
                while receiver.received.count < 3 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                let received = receiver.received
                #expect(received.count == 3, "created failed once then delivered, and the public comment")
                guard received.count >= 3 else { return }
                let delivery = HTTPField.Name("X-Guichet-Delivery")!
                let byDelivery = Dictionary(grouping: received) { $0.headers[delivery] ?? "" }
                #expect(byDelivery.count == 2 && byDelivery.values.map(\.count).sorted() == [1, 2], "the failed delivery came again under its id")
                for delivery in received {
                    let timestamp = try #require(delivery.headers[HTTPField.Name("X-Guichet-Timestamp")!].flatMap(Int.init))
                    let expected = WebhookService.signature(secret: secret, timestamp: timestamp, body: delivery.body)
                    #expect(delivery.headers[HTTPField.Name("X-Guichet-Signature")!] == expected)
                    #expect(!String(decoding: delivery.body, as: UTF8.self).contains("secret interne"))
                }
                let documents = try received.map { try #require(try JSONSerialization.jsonObject(with: $0.body) as? [String: Any]) }
                let created = try #require(documents.first { $0["event"] as? String == "created" })
                #expect((created["ticket"] as? [String: Any])?["ref"] as? String == ticket.ref)
                let commented = try #require(documents.first { $0["event"] as? String == "commented" })
                #expect(commented["note"] as? String == "Réponse publique")
                // the receiver has the last delivery a moment before the worker records it
                var list = ""
                let recorded = ContinuousClock.now + .seconds(10)
                repeat {
                    list = try await api.call(.get, "/api/v1/webhooks", as: "administrator").text
                    if !list.contains(#""delivered":2"#) { try await Task.sleep(for: .milliseconds(50)) }
                } while !list.contains(#""delivered":2"#) && ContinuousClock.now < recorded
                #expect(list.contains(#""delivered":2"#), "\(list)")
            }
        }
    }
}
