import Foundation
import GuichetQueue

/// A flapping alert looked at again: once it has settled (no change for a while, or the monitoring
/// tool said it stopped flapping), its incident follows its state again.
public struct SettleAlert: JobParameters, Equatable {
    public static let queue = ProcessAlerts.queue
    public static let kind = "alerts.settle"

    public var alertId: Int64
    /// Settle now, whatever the last change: the monitoring tool said the flapping stopped.
    public var stopped: Bool

    public init(alertId: Int64, stopped: Bool = false) {
        self.alertId = alertId
        self.stopped = stopped
    }

    func job(at time: Date? = nil) -> NewJob {
        NewJob(self, runAt: time, maxAttempts: 5, uniqueKey: "alerts.settle:\(alertId):\(time.map { "\(Int($0.timeIntervalSince1970))" } ?? "now")")
    }
}
