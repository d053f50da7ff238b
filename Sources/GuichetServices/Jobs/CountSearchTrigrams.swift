import GuichetQueue

/// A recount of the trigrams of the CIs' search text that most CIs share (`cmdb.search.trigrams`),
/// after an import changed the fleet and every hour; on the imports' queue, one pending at a time.
public struct CountSearchTrigrams: JobParameters, Equatable {
    public static let queue = ImportInventory.queue
    public static let kind = "cmdb.search.trigrams"

    public init() {}

    public var job: NewJob { NewJob(self, maxAttempts: 1, uniqueKey: Self.kind) }
}
