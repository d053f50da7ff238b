import Logging
import PostgresNIO

/// The shared PostgreSQL: every node's only state.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws, and the
    /// original error rethrown as it was so callers can act on it. A serialization failure or a
    /// deadlock runs the whole body again, up to three times in all.
    public func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await transactionOnce(body)
            } catch let error as PSQLError where attempt < 3 && Self.isRetryable(error) {
                logger.info("transaction conflict; retrying", metadata: ["attempt": "\(attempt)", "sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int64.random(in: 1...20) * Int64(attempt)))
            }
        }
    }

    /// On one pooled connection: committed when `body` returns, rolled back when it throws (so the
    /// connection never goes back to the pool inside a transaction), and the original error rethrown.
    private func transactionOnce<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Serialization failures and deadlocks: the transaction may succeed if run again.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// Whether the database answers within `timeout`.
    public func isReachable(timeout: Duration = .seconds(2)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await client.query("SELECT 1", logger: logger)
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
