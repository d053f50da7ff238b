import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// A maintenance window as stored, with the names of what it covers.
public struct MaintenanceRecord: Sendable, Equatable {
    public var id: Int64
    public var ciID: Int64?
    public var ciName: String?
    public var establishmentID: Int64?
    public var establishmentCode: String?
    public var establishmentName: String?
    public var startsAt: Date
    /// None for a downtime received from monitoring until its end is received.
    public var endsAt: Date?
    public var reason: String
    public var source: String?
    public var cancelledAt: Date?
}

/// Maintenance windows, and which of them cover a CI.
public struct MaintenanceRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    static let columns = """
        w.id, w.ci_id, c.name, coalesce(w.establishment_id, c.establishment_id), o.code, o.name, w.starts_at, w.ends_at, w.reason, w.source, w.cancelled_at
        """
    static let joins = "LEFT JOIN cis c ON c.id = w.ci_id LEFT JOIN organizations o ON o.id = coalesce(w.establishment_id, c.establishment_id)"

    /// Stores a window; `nil` when it is a downtime of a source already open for the same alert.
    public func insert(
        ciID: Int64?, establishmentID: Int64?, startsAt: Date, endsAt: Date?, reason: String, by personID: Int64, source: (name: String, key: String)? = nil
    ) async throws -> Int64? {
        let rows = try await connection.query(
            """
            INSERT INTO maintenance_windows (ci_id, establishment_id, starts_at, ends_at, reason, created_by, source, source_key)
            VALUES (\(ciID), \(establishmentID), \(startsAt), \(endsAt), \(reason), \(personID), \(source?.name), \(source?.key))
            ON CONFLICT (created_by, source, source_key) WHERE source IS NOT NULL AND ends_at IS NULL AND cancelled_at IS NULL DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    /// The windows not cancelled that have not ended at `now` and start before `until`, within the
    /// reader's perimeter (a window on a CI by the CI's establishment; on none, region-wide, for
    /// everyone), soonest first.
    public func upcoming(scope: CIScope, now: Date, until: Date, limit: Int = 500) async throws -> [MaintenanceRecord] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM maintenance_windows w \(unescaped: Self.joins)
            WHERE w.cancelled_at IS NULL AND (w.ends_at IS NULL OR w.ends_at > \(now)) AND w.starts_at < \(until)
              AND (coalesce(w.establishment_id, c.establishment_id) IS NULL OR coalesce(w.establishment_id, c.establishment_id) IN (
                  SELECT o.id FROM organizations o WHERE \(establishmentVisibleTo: scope)))
            ORDER BY w.starts_at, w.id LIMIT \(limit)
            """,
            logger: logger
        )
        return try await Self.records(rows)
    }

    public func find(id: Int64) async throws -> MaintenanceRecord? {
        try await find(ids: [id])[id]
    }

    public func find(ids: [Int64]) async throws -> [Int64: MaintenanceRecord] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM maintenance_windows w \(unescaped: Self.joins) WHERE w.id = ANY(\(ids))", logger: logger
        )
        return Dictionary(try await Self.records(rows).map { ($0.id, $0) }) { first, _ in first }
    }

    /// Cancels a window; `false` when it was cancelled or over already.
    public func cancel(id: Int64, at now: Date) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE maintenance_windows SET cancelled_at = \(now)
            WHERE id = \(id) AND cancelled_at IS NULL AND (ends_at IS NULL OR ends_at > \(now)) RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// Ends the open downtime a monitoring source received for one of its alerts; returns it.
    public func endDowntime(source: String, key: String, by personID: Int64, at time: Date) async throws -> Int64? {
        let rows = try await connection.query(
            """
            UPDATE maintenance_windows SET ends_at = greatest(\(time), starts_at + interval '1 second')
            WHERE created_by = \(personID) AND source = \(source) AND source_key = \(key) AND ends_at IS NULL AND cancelled_at IS NULL
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    /// The window running at `now` that covers a CI (on the CI, on what it depends on within eight
    /// steps, or on its establishment), the one ending last first (an open downtime before all).
    public func covering(ciID: Int64, at now: Date) async throws -> (id: Int64, endsAt: Date?)? {
        let rows = try await connection.query(
            """
            WITH RECURSIVE up(id, depth) AS (
                SELECT \(ciID)::bigint, 0
                UNION
                SELECT r.dependency_id, up.depth + 1 FROM ci_relations r JOIN up ON r.dependent_id = up.id WHERE up.depth < 8
            )
            SELECT w.id, w.ends_at FROM maintenance_windows w
            WHERE w.cancelled_at IS NULL AND w.starts_at <= \(now) AND (w.ends_at IS NULL OR w.ends_at > \(now))
              AND (w.ci_id IN (SELECT id FROM up) OR w.establishment_id = (SELECT establishment_id FROM cis WHERE id = \(ciID)))
            ORDER BY w.ends_at DESC NULLS FIRST, w.id LIMIT 1
            """,
            logger: logger
        )
        for try await (id, ends) in rows.decode((Int64, Date?).self) { return (id, ends) }
        return nil
    }

    /// Marks an alert as kept from raising its incident by a window.
    public func suppress(alertID: Int64, by windowID: Int64) async throws {
        try await connection.query("UPDATE alerts SET suppressed_by = \(windowID) WHERE id = \(alertID)", logger: logger)
    }

    /// The alerts a window kept from raising their incidents that still fire without one.
    public func suppressedAlerts(by windowID: Int64) async throws -> [Int64] {
        let rows = try await connection.query(
            "SELECT id FROM alerts WHERE suppressed_by = \(windowID) AND status = 'firing' AND ticket_id IS NULL ORDER BY id", logger: logger
        )
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    static func records(_ rows: PostgresRowSequence) async throws -> [MaintenanceRecord] {
        var found: [MaintenanceRecord] = []
        for try await (id, ci, ciName, establishment, code, name, starts, ends, reason, source, cancelled) in rows.decode(
            (Int64, Int64?, String?, Int64?, String?, String?, Date, Date?, String, String?, Date?).self
        ) {
            found.append(
                MaintenanceRecord(
                    id: id, ciID: ci, ciName: ciName, establishmentID: establishment, establishmentCode: code, establishmentName: name, startsAt: starts,
                    endsAt: ends, reason: reason, source: source, cancelledAt: cancelled
                )
            )
        }
        return found
    }
}
