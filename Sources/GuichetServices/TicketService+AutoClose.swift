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
        return closed
    }

    /// Closes one ticket if it is still resolved and silent (it may have been reopened meanwhile).
    private func closeByItself(_ id: Int64, resolvedBefore before: Date, after: Duration) async throws -> Bool {
        try await transactions.run { work in
            let tickets = TicketRepository(connection: work.connection, logger: logger)
            guard let record = try await tickets.find(.id(id), scope: .all, lock: true), record.status == .resolved,
                let resolvedAt = record.resolvedAt, resolvedAt < before
            else { return false }
            let days = Int((after.seconds / 86_400).rounded())
            _ = try await pipeline.change(record, by: .system(note: .autoClose(days: days)), [.close], in: work)
            return true
        }
    }
}
