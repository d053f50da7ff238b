import GuichetQueue

/// A monitoring notification to apply on a worker. Alerts have their own queue, so that a storm of
/// them never delays the dispatch of the tickets people open.
public struct ProcessAlerts: JobParameters, Equatable {
    public static let queue = "alerts"
    public static let kind = "alerts.process"

    public var notificationId: Int64

    public init(notificationId: Int64) {
        self.notificationId = notificationId
    }

    var job: NewJob { NewJob(self, maxAttempts: 5, uniqueKey: "alerts.process:\(notificationId)") }
}
