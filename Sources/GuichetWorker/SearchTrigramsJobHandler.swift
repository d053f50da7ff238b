import GuichetQueue
import GuichetServices
import Logging

/// `cmdb.search.trigrams` (`CountSearchTrigrams`): recounts the trigrams of the CIs' search text
/// that most CIs share, so that searches keep giving the trigram index only the rarer ones as the
/// fleet changes. Enqueued by each import and every hour by the cluster's leader.
public struct SearchTrigramsJobHandler: JobHandler {
    let cmdb: CMDBService

    public init(cmdb: CMDBService) {
        self.cmdb = cmdb
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let common = try await cmdb.refreshSearchTrigrams()
        logger.debug("search trigrams recounted", metadata: ["common": "\(common)"])
    }
}
