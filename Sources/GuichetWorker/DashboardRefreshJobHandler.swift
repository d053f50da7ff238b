import GuichetQueue
import GuichetServices
import Logging

/// `dashboards.refresh`: recomputes the months of the dashboards' rollups whose tickets changed,
/// so that dashboards read a few thousand rollup rows instead of years of tickets. Runs every
/// minute on the cluster's leader; a run that fails leaves the work for the next one.
public struct DashboardRefreshJobHandler: JobHandler {
    public static let kind = "dashboards.refresh"

    let dashboards: DashboardService

    public init(dashboards: DashboardService) {
        self.dashboards = dashboards
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let months = try await dashboards.refresh()
        logger.debug("dashboards refreshed", metadata: ["months": "\(months)"])
    }
}
