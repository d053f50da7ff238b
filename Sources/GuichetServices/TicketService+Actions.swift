import Foundation
import GuichetDomain
import GuichetStore

extension TicketService {
    /// Performs an action on the ticket named `key` if it is still at `expectedVersion`.
    public func perform(_ action: TicketAction, on key: String, expectedVersion: Int, by principal: Principal) async throws -> TicketView {
        try Self.authorize(action.name, by: principal)
        return try await transactions.run { work in
            let record = try await TicketRepository(connection: work.connection, logger: logger).visible(key, to: principal, lock: true)
            guard record.version == expectedVersion else { throw ServiceError.versionMismatch(current: record.version) }
            return TicketView(try await pipeline.change(record, by: .person(principal), [action], in: work), for: principal)
        }
    }

    /// Refuses, before anything else is looked at, an action the caller may not perform.
    public static func authorize(_ action: TicketActionName, by principal: Principal) throws(ServiceError) {
        guard AccessPolicy.mayPerform(action, principal: principal) else {
            throw ServiceError.forbidden("Only service centre staff may \(action.rawValue) a ticket.")
        }
    }
}
