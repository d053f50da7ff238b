import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in one transaction on one pooled connection: committed when it returns, rolled
    /// back when it throws (so the connection never goes back to the pool inside a transaction),
    /// and the original error rethrown as it was.
    public func inTransaction<Result: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await withConnection { connection in
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
}
