import GuichetStore

/// What readiness asks of the database.
public struct HealthService: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Whether the database answers, within the probe's time.
    public func databaseReachable() async -> Bool { await database.isReachable() }
}
