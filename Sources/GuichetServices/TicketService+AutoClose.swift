import Foundation
import GuichetDomain
import GuichetStore

extension TicketService {
    /// Closes the tickets resolved more than `after` ago whose requester did not answer since, each
    /// in its own transaction, with a history entry and the requester told. Returns how many closed.
    public func closeResolved(after: Duration, limit: Int = 500) async throws -> Int {
        let before = clock.now().addingTimeInterval(-after.seconds)
        let candidates = try await database.transaction { connection in
            try await TicketRepository(connection: connection, logger: logger).resolvedWithoutReply(since: before, limit: limit)
        }
        var closed = 0
        for id in candidates where try await closeByItself(id, resolvedBefore: before, after: after) { closed += 1 }
        if closed > 0 { signalFollowUps() }
        return closed
    }

    /// Closes one ticket if it is still resolved and silent (it may have been reopened meanwhile).
    private func closeByItself(_ id: Int64, resolvedBefore before: Date, after: Duration) async throws -> Bool {
        try await database.transaction { connection in
            let tickets = TicketRepository(connection: connection, logger: logger)
            guard let record = try await tickets.find(.id(id), scope: .all, lock: true), record.status == .resolved,
                let resolvedAt = record.resolvedAt, resolvedAt < before
            else { return false }
            let change = try TicketChange.applying(.close, to: TicketState(record), at: clock.now())
            guard try await tickets.save(id: id, state: change.state, expectedVersion: record.version) != nil else { return false }
            let days = Int((after.seconds / 86_400).rounded())
            try await EventRepository(connection: connection, logger: logger).append(
                ticketID: id, actorID: nil, kind: change.eventKind, changes: change.changes,
                note: "closed automatically: no reply \(days) days after the resolution"
            )
            guard let updated = try await tickets.find(.id(id), scope: .all) else { return false }
            try await notifications(on: connection).notify(.closed, about: updated)
            logger.info("ticket closed automatically", metadata: ["ticket": "\(record.ref)"])
            return true
        }
    }
}
