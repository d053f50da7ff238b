import Foundation
import PostgresNIO

extension AuditRepository {
    /// Counts a refused token from `client` in the current hour; true for the hour's first, which
    /// the caller audits in full.
    public func countRefusedToken(client: String, request: String) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO refused_token_counts (client, window_start, last_request) VALUES (\(client), date_trunc('hour', now()), \(request))
            ON CONFLICT (client, window_start) DO UPDATE
                SET refusals = refused_token_counts.refusals + 1, last_request = excluded.last_request
            RETURNING refusals
            """,
            logger: logger
        )
        for try await refusals in rows.decode(Int32.self) { return refusals == 1 }
        return true
    }

    /// Writes one audit row for each closed hour of each client with more refusals than its first
    /// (already audited), and forgets the counts; returns how many rows were written.
    public func summarizeRefusedTokens() async throws -> Int {
        let rows = try await connection.query(
            """
            WITH closed AS (
                DELETE FROM refused_token_counts WHERE window_start < date_trunc('hour', now()) RETURNING *
            ), summary AS (
                INSERT INTO audit_log (actor_id, kind, detail, client)
                SELECT NULL, 'auth.token_refused_summary',
                       format('%s more refused tokens in the hour from %s (last: %s)', refusals - 1,
                              to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), last_request),
                       client
                FROM closed WHERE refusals > 1
                RETURNING 1
            )
            SELECT count(*) FROM summary
            """,
            logger: logger
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}
