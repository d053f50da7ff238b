import GuichetDomain
import PostgresNIO

/// How a page of CIs in name order is found. The planner assumes that the CIs a filter keeps are
/// spread evenly along the name order, so for a few thousand matches it walks the name index and
/// expects the first page early; but matches cluster (an establishment's code, a class's prefix:
/// "PC-B1", "SW-") and may all come after most of the fleet, and the walk then reads nearly a
/// million index entries (400 ms). A small match set is therefore gathered whole from the trigram
/// and address indexes and sorted, whose cost is bounded by its size (about 1.5 µs per CI); only a
/// large one, at least 1 % of a fleet of a million, is walked in name order.
enum CIPageStrategy {
    /// Walk the name index, keeping the CIs the filter keeps, until the page is full.
    case walk
    /// Gather every CI the filter keeps, then sort them by name.
    case gather

    /// The largest match set gathered whole: about 15 ms of gathering.
    static let gatherLimit = 10_000
}

extension CIRepository {
    /// The strategy for one page, from the planner's estimate of the CIs the search, the cursor and
    /// the scope keep (the statistics of the search text are fine-grained enough for rare words).
    func pageStrategy(_ search: CISearch, scope: CIScope, after: (name: String, id: Int64)?) async throws -> CIPageStrategy {
        let rows = try await connection.query("EXPLAIN SELECT c.id FROM cis c WHERE \(ciCandidates: search, scope: scope, after: after)", logger: logger)
        for try await line in rows.decode(String.self) {
            return Self.estimatedRows(inPlanLine: line).map { $0 <= CIPageStrategy.gatherLimit ? .gather : .walk } ?? .walk
        }
        return .walk
    }

    /// The `rows=` estimate of an `EXPLAIN` line: `Bitmap Heap Scan on cis c  (cost=124.78..511.39 rows=100 width=26)`.
    static func estimatedRows(inPlanLine line: String) -> Int? {
        guard let start = line.range(of: " rows=")?.upperBound else { return nil }
        return Int(line[start...].prefix { $0.isNumber })
    }
}
