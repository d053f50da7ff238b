import Logging
import PostgresNIO

/// A statement PostgreSQL parses and plans once per connection rather than at every call.
///
/// `benchmarks/run tickets` ranks statements by planning and execution together: the ticket
/// path's hottest reads spent more time being planned than being run (reading a ticket with its
/// names and the caller's perimeter: 0.5 ms to plan, 0.05 ms to run). Those run as a
/// `PreparedQuery`. Its text is the one the repository's own builder writes for any values
/// (every value is bound), so that the two never drift apart: `prepared(_:_:)` refuses a query
/// whose text differs. Parameter types are inferred by PostgreSQL from their columns at the first
/// preparation on each connection, as they are for unprepared statements.
protocol PreparedQuery: PostgresPreparedStatement where Row == PostgresRow {
    init(query: PostgresQuery)
    var query: PostgresQuery { get }
}

extension PreparedQuery {
    func makeBindings() -> PostgresBindings { query.binds }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// A query run as a prepared statement whose text is not the query's.
struct PreparedQueryMismatch: Error, CustomStringConvertible {
    let statement: String
    var description: String { "the query does not have the text of the prepared statement \(statement)" }
}

extension PostgresConnection {
    /// Runs `query` as the prepared statement `statement`, which must have the same text.
    func prepared<Statement: PreparedQuery>(
        _ statement: Statement.Type, _ query: PostgresQuery, logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        guard query.sql == Statement.sql else { throw PreparedQueryMismatch(statement: Statement.name) }
        return try await execute(Statement(query: query), logger: logger)
    }
}
