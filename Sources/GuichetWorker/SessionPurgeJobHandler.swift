import GuichetQueue
import GuichetServices
import Logging

/// `sessions.purge`: deletes ended sessions, closed throttle windows and spent reset tokens, so
/// that what sign-in leaves behind does not pile up. Runs as a periodic job on the cluster's leader.
public struct SessionPurgeJobHandler: JobHandler {
    public static let kind = "sessions.purge"

    let sessions: SessionService

    public init(sessions: SessionService) {
        self.sessions = sessions
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let purged = try await sessions.purge()
        if purged > 0 { logger.info("sign-in leftovers purged", metadata: ["rows": "\(purged)"]) }
    }
}
