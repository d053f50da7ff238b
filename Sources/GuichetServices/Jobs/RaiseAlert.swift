import Foundation
import GuichetQueue

/// A firing alert on a CI that depends on others, whose own incident waits a moment for its cause's
/// alert: when the cause's incident opens meanwhile, it gathers this alert; otherwise this alert
/// opens one when the job runs.
public struct RaiseAlert: JobParameters, Equatable {
    public static let queue = ProcessAlerts.queue
    public static let kind = "alerts.raise"

    public var alertId: Int64

    public init(alertId: Int64) {
        self.alertId = alertId
    }

    func job(at time: Date) -> NewJob { NewJob(self, runAt: time, maxAttempts: 5, uniqueKey: "alerts.raise:\(alertId)") }
}
