import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// How a caller names a ticket: by id or by ref.
public enum TicketKey: Sendable, Equatable {
    case id(Int64)
    case ref(String)

    /// `42` is an id, `I-000042` a ref; anything else names no ticket.
    public init?(_ text: String) {
        if let id = Int64(text), id > 0 {
            self = .id(id)
        } else if let ref = TicketRef(text) {
            self = .ref(ref.description)
        } else {
            return nil
        }
    }
}

/// A ticket to insert.
public struct NewTicket: Sendable {
    public var kind: TicketKind
    public var title: String
    public var description: String
    public var impact: Impact
    public var urgency: Urgency
    public var origin: TicketOrigin
    public var requesterID: Int64
    public var establishmentID: Int64
    public var serviceID: Int64?

    public init(
        kind: TicketKind, title: String, description: String, impact: Impact, urgency: Urgency, origin: TicketOrigin,
        requesterID: Int64, establishmentID: Int64, serviceID: Int64?
    ) {
        self.kind = kind
        self.title = title
        self.description = description
        self.impact = impact
        self.urgency = urgency
        self.origin = origin
        self.requesterID = requesterID
        self.establishmentID = establishmentID
        self.serviceID = serviceID
    }
}

/// Ticket rows. Every read is narrowed by the caller's `TicketScope` in the query itself.
public struct TicketRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Inserts a `new` ticket and returns its id; its ref comes from the kind's own number sequence.
    public func insert(_ ticket: NewTicket) async throws -> Int64 {
        let sequence = ticket.kind == .incident ? "ticket_number_incident" : "ticket_number_request"
        let numbers = try await connection.query("SELECT nextval(\(sequence)::regclass)", logger: logger)
        var number: Int64 = 0
        for try await value in numbers.decode(Int64.self) { number = value }
        let ref = TicketRef(kind: ticket.kind, number: number).description
        let priority = Priority(impact: ticket.impact, urgency: ticket.urgency)
        let rows = try await connection.query(
            """
            INSERT INTO tickets (ref, kind, title, description, status, impact, urgency, priority, origin,
                                 requester_id, establishment_id, service_id)
            VALUES (\(ref), \(ticket.kind.rawValue), \(ticket.title), \(ticket.description), 'new',
                    \(Int16(ticket.impact.rawValue)), \(Int16(ticket.urgency.rawValue)), \(Int16(priority.rawValue)),
                    \(ticket.origin.rawValue), \(ticket.requesterID), \(ticket.establishmentID), \(ticket.serviceID))
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.noRowReturned
    }

    /// One ticket the scope lets the caller see; `lock` holds it until the transaction ends.
    ///
    /// Guichet's own reads by id (scope `.all`: the pipeline's re-read, the dispatch job's lock)
    /// are the most frequent of the ticket path and run prepared. A caller's read carries their
    /// perimeter, whose condition PostgreSQL simplifies only when it plans it for its values.
    public func find(_ key: TicketKey, scope: TicketScope, lock: Bool = false) async throws -> TicketRecord? {
        if case .id(let id) = key, scope == .all {
            let query = Self.byIDQuery(id: id, lock: lock)
            let rows =
                lock
                ? try await connection.prepared(TicketByIDForUpdate.self, query, logger: logger)
                : try await connection.prepared(TicketByID.self, query, logger: logger)
            for try await row in rows { return try TicketRecord(row: row) }
            return nil
        }
        let (id, ref): (Int64?, String?) =
            switch key {
            case .id(let id): (id, nil)
            case .ref(let ref): (nil, ref)
            }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: TicketRecord.columns) FROM tickets t \(unescaped: TicketRecord.joins)
            WHERE (t.id = \(id) OR t.ref = \(ref)) AND \(visibleTo: scope)
            \(unescaped: lock ? "FOR UPDATE OF t" : "")
            """,
            logger: logger
        )
        for try await row in rows { return try TicketRecord(row: row) }
        return nil
    }

    static func byIDQuery(id: Int64, lock: Bool) -> PostgresQuery {
        """
        SELECT \(unescaped: TicketRecord.columns) FROM tickets t \(unescaped: TicketRecord.joins)
        WHERE t.id = \(id)
        \(unescaped: lock ? "FOR UPDATE OF t" : "")
        """
    }

    struct TicketByID: PreparedQuery {
        static let sql = byIDQuery(id: 0, lock: false).sql
        let query: PostgresQuery
    }

    struct TicketByIDForUpdate: PreparedQuery {
        static let sql = byIDQuery(id: 0, lock: true).sql
        let query: PostgresQuery
    }

    /// Writes the new state of a ticket if it is still at `expectedVersion`; returns the new version,
    /// or `nil` when someone changed it meanwhile.
    public func save(id: Int64, state: TicketState, expectedVersion: Int) async throws -> Int? {
        let rows = try await connection.query(
            """
            UPDATE tickets SET status = \(state.status.rawValue), team_id = \(state.teamID), agent_id = \(state.agentID),
                pending_reason = \(state.pendingReason), escalation_reason = \(state.escalationReason),
                resolution_code = \(state.resolution?.code), solution = \(state.resolution?.solution),
                resolution_mode = \(state.resolution?.mode.rawValue), taken_at = \(state.takenAt),
                resolved_at = \(state.resolvedAt), closed_at = \(state.closedAt),
                version = version + 1, updated_at = now()
            WHERE id = \(id) AND version = \(expectedVersion)
            RETURNING version
            """,
            logger: logger
        )
        for try await version in rows.decode(Int.self) { return version }
        return nil
    }
}

/// A store invariant that did not hold.
public enum StoreError: Error {
    case noRowReturned
}
