import Foundation
import GuichetDomain
import PostgresNIO

/// A ticket as a CI's page lists it.
public struct CITicket: Sendable, Equatable {
    public var id: Int64
    public var ref: String
    public var title: String
    public var status: TicketStatus
    public var createdAt: Date
}

extension CIRepository {
    /// Links a ticket to a CI; `false` when they were linked already.
    public func link(ticketID: Int64, ciID: Int64) async throws -> Bool {
        let rows = try await connection.query(
            "INSERT INTO ticket_cis (ticket_id, ci_id) VALUES (\(ticketID), \(ciID)) ON CONFLICT DO NOTHING RETURNING 1", logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// Links several CIs to a ticket at once; returns those that were not linked yet.
    public func link(ticketID: Int64, ciIDs: [Int64]) async throws -> [Int64] {
        let rows = try await connection.query(
            "INSERT INTO ticket_cis (ticket_id, ci_id) SELECT \(ticketID), unnest(\(ciIDs)::int8[]) ON CONFLICT DO NOTHING RETURNING ci_id", logger: logger
        )
        var linked: [Int64] = []
        for try await id in rows.decode(Int64.self) { linked.append(id) }
        return linked
    }

    /// `false` when they were not linked.
    public func unlink(ticketID: Int64, ciID: Int64) async throws -> Bool {
        let rows = try await connection.query(
            "DELETE FROM ticket_cis WHERE ticket_id = \(ticketID) AND ci_id = \(ciID) RETURNING 1", logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// The CIs linked to a ticket, by name.
    public func linked(toTicket ticketID: Int64) async throws -> [Int64] {
        let rows = try await connection.query(
            "SELECT tc.ci_id FROM ticket_cis tc JOIN cis c ON c.id = tc.ci_id WHERE tc.ticket_id = \(ticketID) ORDER BY c.name, c.id",
            logger: logger
        )
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// The tickets linked to a CI that the caller may see, newest first.
    public func tickets(ofCI ciID: Int64, scope: TicketScope, limit: Int) async throws -> [CITicket] {
        let rows = try await connection.query(
            """
            SELECT t.id, t.ref, t.title, t.status, t.created_at FROM ticket_cis tc JOIN tickets t ON t.id = tc.ticket_id
            WHERE tc.ci_id = \(ciID) AND \(visibleTo: scope)
            ORDER BY t.created_at DESC, t.id DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var tickets: [CITicket] = []
        for try await (id, ref, title, status, created) in rows.decode((Int64, String, String, String, Date).self) {
            tickets.append(CITicket(id: id, ref: ref, title: title, status: TicketStatus(rawValue: status) ?? .new, createdAt: created))
        }
        return tickets
    }
}
