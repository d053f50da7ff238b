import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// One entry of a ticket's append-only history.
public struct TicketEvent: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: TicketRecord.Named?
    public var kind: String
    public var changes: [String: FieldChange]
    public var note: String?
    /// Why Guichet acted, when it did; `note` holds the same in English.
    public var systemNote: SystemNote?
    public var isInternal: Bool
}

/// The history of tickets: rows are only ever added (a trigger refuses updates and deletes).
public struct EventRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// `actorID` is `nil` when Guichet itself acted, and `systemNote` says why (its English
    /// sentence is stored as the note).
    public func append(
        ticketID: Int64, actorID: Int64?, kind: String, changes: [String: FieldChange] = [:], note: String? = nil, systemNote: SystemNote? = nil,
        isInternal: Bool = false, requestID: String? = nil
    ) async throws {
        let encoder = JSONEncoder()
        let json = String(decoding: try encoder.encode(changes), as: UTF8.self)
        let system = try systemNote.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try await connection.query(
            """
            INSERT INTO ticket_events (ticket_id, actor_id, kind, changes, note, system_note, internal, request_id)
            VALUES (\(ticketID), \(actorID), \(kind), \(json)::jsonb, \(systemNote?.text ?? note), \(system)::jsonb, \(isInternal), \(requestID))
            """,
            logger: logger
        )
    }

    /// The events of a ticket in order; internal ones only when asked.
    public func history(ticketID: Int64, includeInternal: Bool) async throws -> [TicketEvent] {
        let rows = try await connection.query(
            """
            SELECT e.id, e.at, e.actor_id, p.name, e.kind, e.changes::text, e.note, e.system_note::text, e.internal
            FROM ticket_events e LEFT JOIN people p ON p.id = e.actor_id
            WHERE e.ticket_id = \(ticketID) AND (\(includeInternal) OR NOT e.internal)
            ORDER BY e.id
            """,
            logger: logger
        )
        var events: [TicketEvent] = []
        let decoder = JSONDecoder()
        for try await (id, at, actorID, actorName, kind, changes, note, system, isInternal) in rows.decode(
            (Int64, Date, Int64?, String?, String, String, String?, String?, Bool).self
        ) {
            let actor = actorID.map { TicketRecord.Named(id: $0, name: actorName ?? "") }
            let decoded = (try? decoder.decode([String: FieldChange].self, from: Data(changes.utf8))) ?? [:]
            let systemNote = system.flatMap { try? decoder.decode(SystemNote.self, from: Data($0.utf8)) }
            events.append(
                TicketEvent(id: id, at: at, actor: actor, kind: kind, changes: decoded, note: note, systemNote: systemNote, isInternal: isInternal)
            )
        }
        return events
    }
}
