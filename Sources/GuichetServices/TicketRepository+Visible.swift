import GuichetDomain
import GuichetStore

extension TicketRepository {
    /// The ticket `key` (id or reference) if `principal` may see it; otherwise not found, the two
    /// cases told apart to nobody. `lock` holds it until the transaction ends.
    func visible(_ key: String, to principal: Principal, lock: Bool = false) async throws -> TicketRecord {
        guard let ticketKey = TicketKey(key), let record = try await find(ticketKey, scope: AccessPolicy.ticketScope(of: principal), lock: lock) else {
            throw ServiceError.notFound("ticket \(key)")
        }
        return record
    }
}
