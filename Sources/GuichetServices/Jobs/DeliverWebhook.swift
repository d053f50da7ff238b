import GuichetQueue

/// POSTing one webhook delivery to its subscription's URL. The history trigger of migration 0013
/// enqueues these jobs in SQL, with the same queue, kind and payload.
public struct DeliverWebhook: JobParameters, Equatable {
    public static let queue = "webhooks"
    public static let kind = "webhook.deliver"

    public var deliveryId: Int64

    public init(deliveryId: Int64) {
        self.deliveryId = deliveryId
    }
}
