import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// The SLA policy that applies to a ticket: its calendar and targets.
public struct SLAPolicy: Sendable, Equatable {
    public var id: Int64
    public var calendarID: Int64
    public var targets: SLATargets
}

/// A ticket's clock with the policy and calendar it runs on.
public struct StoredSLAClock: Sendable, Equatable {
    public var clock: SLAClock
    public var policyID: Int64
    public var calendarID: Int64

    public init(clock: SLAClock, policyID: Int64, calendarID: Int64) {
        self.clock = clock
        self.policyID = policyID
        self.calendarID = calendarID
    }
}

/// Calendars, SLA policies and the clocks of tickets.
public struct SLARepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The service's own policy for `priority`, else the policy of every service.
    public func policy(serviceID: Int64?, priority: Int) async throws -> SLAPolicy? {
        let rows = try await connection.query(
            """
            SELECT id, calendar_id, time_to_own_minutes, time_to_resolve_minutes FROM sla_policies
            WHERE priority = \(priority) AND (service_id = \(serviceID) OR service_id IS NULL)
            ORDER BY service_id NULLS LAST LIMIT 1
            """,
            logger: logger
        )
        for try await (id, calendarID, own, resolve) in rows.decode((Int64, Int64, Int32, Int32).self) {
            return SLAPolicy(id: id, calendarID: calendarID, targets: SLATargets(timeToOwn: Double(own) * 60, timeToResolve: Double(resolve) * 60))
        }
        return nil
    }

    /// A calendar with its opening hours and closures, read in one round trip.
    public func calendar(id: Int64) async throws -> BusinessCalendar? {
        let rows = try await connection.query(
            """
            SELECT c.time_zone, c.always_open, c.french_holidays,
                   coalesce((SELECT json_agg(json_build_array(weekday, opens_at, closes_at)) FROM calendar_openings WHERE calendar_id = c.id), '[]')::text,
                   coalesce((SELECT json_agg(json_build_array(first_day, last_day, reason)) FROM calendar_closures WHERE calendar_id = c.id), '[]')::text
            FROM calendars c WHERE c.id = \(id)
            """,
            logger: logger
        )
        for try await (zone, alwaysOpen, holidays, openingsJSON, closuresJSON) in rows.decode((String, Bool, Bool, String, String).self) {
            guard let timeZone = TimeZone(identifier: zone) else { throw SLAStoreError.unknownTimeZone(zone) }
            let openings = try JSONDecoder().decode([[Int]].self, from: Data(openingsJSON.utf8)).map {
                BusinessCalendar.Opening(weekday: $0[0], start: $0[1], end: $0[2])
            }
            let closures = try JSONDecoder().decode([[String]].self, from: Data(closuresJSON.utf8)).compactMap { row -> BusinessCalendar.Closure? in
                guard let from = LocalDate(row[0]), let through = LocalDate(row[1]) else { return nil }
                return BusinessCalendar.Closure(from: from, through: through, reason: row[2])
            }
            return BusinessCalendar(timeZone: timeZone, alwaysOpen: alwaysOpen, openings: openings, observesFrenchHolidays: holidays, closures: closures)
        }
        return nil
    }

    public func insert(_ stored: StoredSLAClock, ticketID: Int64) async throws {
        let clock = stored.clock
        try await connection.query(
            """
            INSERT INTO ticket_sla_clocks (ticket_id, metric, policy_id, calendar_id, target_seconds, started_at, consumed_seconds,
                running_since, stopped_at, pauses, warned_at, breached_at)
            VALUES (\(ticketID), \(clock.metric.rawValue), \(stored.policyID), \(stored.calendarID), \(clock.target), \(clock.startedAt),
                \(clock.consumed), \(clock.runningSince), \(clock.stoppedAt), \(try Self.encode(clock.pauses))::jsonb, \(clock.warnedAt), \(clock.breachedAt))
            """,
            logger: logger
        )
    }

    /// The clocks of a ticket; with `lock`, held until the transaction ends.
    public func clocks(ticketID: Int64, lock: Bool = false) async throws -> [StoredSLAClock] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.clockColumns) FROM ticket_sla_clocks WHERE ticket_id = \(ticketID) ORDER BY metric
            \(unescaped: lock ? "FOR UPDATE" : "")
            """,
            logger: logger
        )
        var clocks: [StoredSLAClock] = []
        for try await row in rows { if let clock = try Self.clock(row) { clocks.append(clock.stored) } }
        return clocks
    }

    /// The clocks of many tickets at once (a page of a queue), by ticket.
    public func clocks(ticketIDs: [Int64]) async throws -> [Int64: [StoredSLAClock]] {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.clockColumns) FROM ticket_sla_clocks WHERE ticket_id = ANY(\(ticketIDs)) ORDER BY ticket_id, metric",
            logger: logger
        )
        var clocks: [Int64: [StoredSLAClock]] = [:]
        for try await row in rows { if let clock = try Self.clock(row) { clocks[clock.ticketID, default: []].append(clock.stored) } }
        return clocks
    }

    static let clockColumns = """
        ticket_id, metric, policy_id, calendar_id, target_seconds, started_at, consumed_seconds, running_since, stopped_at, pauses::text,
        warned_at, breached_at
        """

    private static func clock(_ row: PostgresRow) throws -> (ticketID: Int64, stored: StoredSLAClock)? {
        let (ticketID, metric, policyID, calendarID, target, started, consumed, running, stopped, pauses, warned, breached) = try row.decode(
            (Int64, String, Int64, Int64, Double, Date, Double, Date?, Date?, String, Date?, Date?).self
        )
        guard let metric = SLAMetric(rawValue: metric) else { return nil }
        let clock = SLAClock(
            metric: metric, target: target, startedAt: started, consumed: consumed, runningSince: running, stoppedAt: stopped,
            pauses: try decode(pauses), warnedAt: warned, breachedAt: breached
        )
        return (ticketID, StoredSLAClock(clock: clock, policyID: policyID, calendarID: calendarID))
    }

    public func save(_ clock: SLAClock, ticketID: Int64) async throws {
        try await connection.query(
            """
            UPDATE ticket_sla_clocks SET consumed_seconds = \(clock.consumed), running_since = \(clock.runningSince),
                stopped_at = \(clock.stoppedAt), pauses = \(try Self.encode(clock.pauses))::jsonb, warned_at = \(clock.warnedAt),
                breached_at = \(clock.breachedAt)
            WHERE ticket_id = \(ticketID) AND metric = \(clock.metric.rawValue)
            """,
            logger: logger
        )
    }

    /// Flags the ticket as having breached an SLA (lists and dashboards filter on it).
    public func markBreached(ticketID: Int64) async throws {
        try await connection.query("UPDATE tickets SET sla_breached = true WHERE id = \(ticketID)", logger: logger)
    }

    private struct StoredPause: Codable {
        var from: Double
        var to: Double?
    }

    /// Pauses as JSON epoch seconds: ISO 8601 would drop the fractions the clock arithmetic keeps.
    static func encode(_ pauses: [SLAClock.Pause]) throws -> String {
        let stored = pauses.map { StoredPause(from: $0.from.timeIntervalSince1970, to: $0.to?.timeIntervalSince1970) }
        return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [SLAClock.Pause] {
        try JSONDecoder().decode([StoredPause].self, from: Data(text.utf8)).map {
            SLAClock.Pause(from: Date(timeIntervalSince1970: $0.from), to: $0.to.map(Date.init(timeIntervalSince1970:)))
        }
    }
}

public enum SLAStoreError: Error, CustomStringConvertible {
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .unknownTimeZone(let zone): "The calendar's time zone '\(zone)' is unknown to this system; install tzdata or correct the calendar."
        }
    }
}
