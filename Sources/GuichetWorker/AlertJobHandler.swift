import GuichetQueue
import GuichetServices
import Logging

/// `alerts.process` (`ProcessAlerts`): applies the alerts of a monitoring notification, on the
/// alerts' own queue.
public struct AlertJobHandler: JobHandler {
    let alerts: AlertService

    public init(alerts: AlertService) {
        self.alerts = alerts
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let parameters = try job.parameters(ProcessAlerts.self)
        let changed = try await alerts.process(parameters.notificationId)
        logger.debug("alerts applied", metadata: ["notification": "\(parameters.notificationId)", "changed": "\(changed)"])
    }
}

/// `alerts.raise` (`RaiseAlert`): opens the incident of an alert that waited for its cause's.
public struct WaitingAlertJobHandler: JobHandler {
    let alerts: AlertService

    public init(alerts: AlertService) {
        self.alerts = alerts
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        try await alerts.raiseWaiting(try job.parameters(RaiseAlert.self).alertId)
    }
}

/// `alerts.settle` (`SettleAlert`): looks at a flapping alert again.
public struct SettleAlertJobHandler: JobHandler {
    let alerts: AlertService

    public init(alerts: AlertService) {
        self.alerts = alerts
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let parameters = try job.parameters(SettleAlert.self)
        try await alerts.settle(parameters.alertId, stopped: parameters.stopped)
    }
}
