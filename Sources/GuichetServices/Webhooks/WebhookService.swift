import Crypto
import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// Administrators' webhook subscriptions, and the signature every delivery carries.
public struct WebhookService: Sendable {
    /// The history events a subscription may ask for.
    public static let eventTypes = [
        "created", "assigned", "taken", "pended", "resumed", "escalated", "resolved", "closed", "reopened", "commented", "sla_warning", "sla_breached",
    ]

    public struct Subscribe: Sendable, Decodable {
        public var url: String?
        public var events: [String]?
        public var allowPrivate: Bool?
    }

    /// A new subscription with its secret, shown this once.
    public struct Created: Sendable, Encodable {
        public var id: Int64
        public var url: String
        public var events: [String]
        public var allowPrivate: Bool
        public var secret: String
    }

    let database: Database
    let logger: Logger
    /// Seals subscriptions' secrets; without it, subscriptions are refused.
    let secrets: SecretBox?

    public init(database: Database, logger: Logger, secrets: SecretBox?) {
        self.database = database
        self.logger = logger
        self.secrets = secrets
    }

    public func subscribe(_ request: Subscribe, by principal: Principal) async throws -> Created {
        try Self.requireAdmin(principal)
        guard let secrets else {
            throw ServiceError.conflict("Webhooks need GUICHET_SECRET_KEY on the API nodes, to keep their secrets encrypted; ask the operators to set it.")
        }
        guard let url = request.url, url.count <= 2_000 else { throw ServiceError.invalid("url", "A subscription needs an http:// or https:// URL.") }
        let allowPrivate = request.allowPrivate ?? false
        do {
            _ = try await WebhookTarget.check(url, allowPrivate: allowPrivate)
        } catch {
            throw ServiceError.invalid("url", "The URL is refused: \(error).")
        }
        let events = Array(Set(request.events ?? [])).sorted()
        guard !events.isEmpty else { throw ServiceError.invalid("events", "Name at least one event: \(Self.eventTypes.joined(separator: ", ")).") }
        if let unknown = events.first(where: { !Self.eventTypes.contains($0) }) {
            throw ServiceError.invalid("events", "'\(unknown)' is not an event; the events are \(Self.eventTypes.joined(separator: ", ")).")
        }
        let secret = "whsec_" + SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let id = try await database.transaction { connection in
            try await WebhookRepository(connection: connection, logger: logger).insert(
                url: url, secret: secrets.seal(secret), events: events, allowPrivate: allowPrivate, createdBy: principal.personID
            )
        }
        logger.info("webhook subscription created", metadata: ["subscription": "\(id)", "events": "\(events)"])
        return Created(id: id, url: url, events: events, allowPrivate: allowPrivate, secret: secret)
    }

    /// The subscriptions as the API lists them (never their secrets).
    public struct Subscriptions: Sendable, Encodable {
        public var items: [WebhookSubscription]
    }

    public func list(by principal: Principal) async throws -> Subscriptions {
        try Self.requireAdmin(principal)
        return Subscriptions(items: try await database.transaction { try await WebhookRepository(connection: $0, logger: logger).list() })
    }

    public func unsubscribe(_ id: Int64, by principal: Principal) async throws {
        try Self.requireAdmin(principal)
        let found = try await database.transaction { try await WebhookRepository(connection: $0, logger: logger).deactivate(id: id) }
        guard found else { throw ServiceError.notFound("webhook subscription \(id)") }
    }

    /// Seals the secrets stored before they were sealed; `guichet migrate` runs it when it has the key.
    public static func sealStoredSecrets(database: Database, secrets: SecretBox) async throws -> Int {
        try await database.transaction { connection in
            let repository = WebhookRepository(connection: connection, logger: database.logger)
            var sealed = 0
            for (id, secret) in try await repository.secrets() where !SecretBox.isSealed(secret) {
                try await repository.replaceSecret(id: id, with: secrets.seal(secret))
                sealed += 1
            }
            return sealed
        }
    }

    /// A delivery to make, unless it is done (delivered, failed for good, or its subscription ended).
    public func pendingDelivery(id: Int64) async throws -> WebhookDelivery? {
        let delivery = try await database.client.withConnection { try await WebhookRepository(connection: $0, logger: logger).delivery(id: id) }
        guard let delivery, !delivery.done else { return nil }
        return delivery
    }

    /// The secret a delivery is signed with: opened with the key when sealed, as stored when it
    /// dates from before sealing.
    public func signingSecret(of delivery: WebhookDelivery) throws -> String {
        guard SecretBox.isSealed(delivery.secret) else { return delivery.secret }
        guard let secrets else { throw ServiceError.conflict("This worker has no GUICHET_SECRET_KEY to open the subscription's secret.") }
        return try secrets.open(delivery.secret)
    }

    /// Records an attempt: the receiver's status (nil when none came) and the outcome.
    public func recordAttempt(id: Int64, status: Int?, error: String?, delivered: Bool, failedForGood: Bool) async throws {
        try await database.client.withConnection {
            try await WebhookRepository(connection: $0, logger: logger).recordAttempt(
                id: id, status: status, error: error, delivered: delivered, failedForGood: failedForGood
            )
        }
    }

    static func requireAdmin(_ principal: Principal) throws(ServiceError) {
        guard AccessPolicy.mayAdminister(principal) else { throw ServiceError.forbidden("Only administrators manage webhooks.") }
    }

    /// `sha256=<hex>` of HMAC-SHA256 over `timestamp.body`: the receiver recomputes it with the
    /// secret and refuses old timestamps, so a captured delivery cannot be replayed later.
    public static func signature(secret: String, timestamp: Int, body: Data) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
