import Foundation
import GuichetQueue

/// A firing alert whose own incident waits: a moment for its cause's alert (on a CI that depends on
/// others: when the cause's incident opens meanwhile, it gathers this alert), or for the end of the
/// maintenance window that covers it; otherwise this alert opens one when the job runs.
public struct RaiseAlert: JobParameters, Equatable {
    public static let queue = ProcessAlerts.queue
    public static let kind = "alerts.raise"

    public var alertId: Int64

    public init(alertId: Int64) {
        self.alertId = alertId
    }

    func job(at time: Date) -> NewJob { NewJob(self, runAt: time, maxAttempts: 5, uniqueKey: "alerts.raise:\(alertId)") }

    /// When the maintenance window that holds the alert back ends: at its planned end, or at once
    /// when it was cancelled or its end received (a job still waiting for the planned end then
    /// finds the incident open and does nothing).
    func job(releasedBy windowID: Int64, at time: Date? = nil) -> NewJob {
        NewJob(self, runAt: time, maxAttempts: 5, uniqueKey: "alerts.raise:\(alertId):window:\(windowID):\(time == nil ? "now" : "end")")
    }
}
