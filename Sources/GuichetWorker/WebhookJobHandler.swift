import AsyncHTTPClient
import Foundation
import GuichetQueue
import GuichetServices
import Logging
import NIOCore
import NIOHTTP1

/// Runs `webhook.deliver` jobs: POSTs a delivery, signed, to its subscription's URL. A 2xx is
/// delivered; anything else is retried by the queue with backoff (10 attempts), and the last
/// attempt marks the delivery failed. A target that resolves to an internal address is refused.
public struct WebhookJobHandler: JobHandler {
    let webhooks: WebhookService

    public init(webhooks: WebhookService) {
        self.webhooks = webhooks
    }

    /// The HTTP client of one delivery: it connects to the address checked, whatever a second
    /// lookup of the name would say (DNS rebinding), and never follows a redirect (a redirect could
    /// lead to an internal address the check never saw). TLS still verifies the name.
    static func makeClient(for target: WebhookTarget.Checked) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        if target.address != target.host { configuration.dnsOverride = [target.host: target.address] }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    struct DeliveryFailed: Error, CustomStringConvertible {
        let description: String
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let payload = try job.parameters(DeliverWebhook.self)
        guard let delivery = try await webhooks.pendingDelivery(id: payload.deliveryId) else { return }
        let lastAttempt = job.attempt >= job.maxAttempts
        let target: WebhookTarget.Checked
        do {
            target = try await WebhookTarget.check(delivery.url, allowPrivate: delivery.allowPrivate)
        } catch {
            try await webhooks.recordAttempt(id: delivery.id, status: nil, error: "\(error)", delivered: false, failedForGood: true)
            logger.warning("webhook target refused", metadata: ["delivery": "\(delivery.deliveryID)", "reason": "\(error)"])
            return
        }
        let secret = try webhooks.signingSecret(of: delivery)
        let body = Data(delivery.payload.utf8)
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Guichet-Webhooks/1")
        request.headers.add(name: "X-Guichet-Event", value: delivery.eventType)
        request.headers.add(name: "X-Guichet-Delivery", value: delivery.deliveryID.uuidString.lowercased())
        request.headers.add(name: "X-Guichet-Timestamp", value: "\(timestamp)")
        request.headers.add(name: "X-Guichet-Signature", value: WebhookService.signature(secret: secret, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(data: body))
        let status: Int?
        let failure: String?
        let http = Self.makeClient(for: target)
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            status = Int(response.status.code)
            failure = (200..<300).contains(Int(response.status.code)) ? nil : "the receiver answered \(response.status.code)"
        } catch {
            status = nil
            failure = "\(error)"
        }
        try? await http.shutdown()
        try await webhooks.recordAttempt(id: delivery.id, status: status, error: failure, delivered: failure == nil, failedForGood: failure != nil && lastAttempt)
        if let failure { throw DeliveryFailed(description: failure) }
        logger.debug("webhook delivered", metadata: ["delivery": "\(delivery.deliveryID)"])
    }
}
