import GuichetQueue

/// An inventory handed over, to apply on a worker: imports have their own queue, so that a large
/// one never delays the tickets.
public struct ImportInventory: JobParameters, Equatable {
    public static let queue = "cmdb"
    public static let kind = "cmdb.import"

    public var importId: Int64

    public init(importId: Int64) {
        self.importId = importId
    }

    var job: NewJob { NewJob(self, maxAttempts: 3, uniqueKey: "cmdb.import:\(importId)") }
}
