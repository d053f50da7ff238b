import Foundation
import GuichetDomain
import GuichetQueue
import GuichetStore
import PostgresNIO

extension TicketService {
    /// Performs an action on the ticket named `key` if it is still at `expectedVersion`.
    public func perform(_ action: TicketAction, on key: String, expectedVersion: Int, by principal: Principal) async throws -> TicketView {
        try Self.authorize(action.name, by: principal)
        let view = try await database.transaction { connection in
            let tickets = TicketRepository(connection: connection, logger: logger)
            let record = try await tickets.visible(key, to: principal, lock: true)
            guard record.version == expectedVersion else { throw ServiceError.versionMismatch(current: record.version) }
            return try await apply(action, to: record, by: principal, on: connection)
        }
        if view.status == .new { notifier.signal(queue: AssignTicket.queue) }
        signalFollowUps()
        return view
    }

    /// Performs an action on a ticket the caller locked in their transaction: the change, its
    /// history entry, the SLA clocks, the dispatch job and the notifications it causes.
    func apply(_ action: TicketAction, to record: TicketRecord, by principal: Principal, on connection: PostgresConnection) async throws -> TicketView {
        let tickets = TicketRepository(connection: connection, logger: logger)
        let now = clock.now()
        let change: TicketChange
        do {
            change = try TicketChange.applying(action, to: TicketState(record), at: now)
        } catch {
            throw ServiceError.rule(error)
        }
        try await checkContractorHolds(record, by: principal, asAgent: action.name != .take, on: connection)
        try await checkReferences(of: action, on: record, by: principal, directory: DirectoryRepository(connection: connection, logger: logger))
        guard try await tickets.save(id: record.id, state: change.state, expectedVersion: record.version) != nil else {
            throw ServiceError.versionMismatch(current: record.version + 1)
        }
        try await EventRepository(connection: connection, logger: logger).append(
            ticketID: record.id, actorID: principal.personID, kind: change.eventKind, changes: change.changes, note: change.note,
            requestID: principal.requestID
        )
        try await SLAKeeper(connection: connection, logger: logger).transition(
            ticketID: record.id, from: record.status, to: change.state.status, at: now
        )
        if change.state.status == .new {
            try await JobQueue.enqueue(AssignTicket(ticketId: record.id).job, on: connection, logger: logger)
        }
        logger.info("ticket action", metadata: ["ticket": "\(record.ref)", "action": "\(action.name.rawValue)"])
        guard let updated = try await tickets.find(.id(record.id), scope: .all) else { throw StoreError.noRowReturned }
        try await announce(action, on: updated, notifications: notifications(on: connection))
        return TicketView(updated, for: principal)
    }

    /// The notifications an action sends: the requester hears of each step, the agent of what they are given.
    private func announce(_ action: TicketAction, on ticket: TicketRecord, notifications: NotificationComposer) async throws {
        switch action {
        case .take:
            try await notifications.notify(.taken, about: ticket)
            try await notifications.notify(.assignedToYou, about: ticket)
        case .pend(let reason):
            try await notifications.notify(.pending, about: ticket, detail: reason)
        case .resolve(let resolution):
            try await notifications.notify(.resolved, about: ticket, detail: resolution.solution)
        case .close:
            try await notifications.notify(.closed, about: ticket)
        case .assign, .resume, .escalate, .reopen:
            break
        }
    }

    /// A contractor's agent sees every ticket ever escalated to their team, but changes only those
    /// with their team now, and, past taking it, only those they hold themselves.
    func checkContractorHolds(_ record: TicketRecord, by principal: Principal, asAgent: Bool, on connection: PostgresConnection) async throws {
        guard principal.roles.contains(.contractor) else { return }
        guard let team = record.team, try await DirectoryRepository(connection: connection, logger: logger).isMember(personID: principal.personID, teamID: team.id)
        else { throw ServiceError.forbidden("Ticket \(record.ref) is no longer with your team; you may read it, not change it.") }
        if asAgent && record.agent?.id != principal.personID {
            throw ServiceError.forbidden("Take ticket \(record.ref) before working on it.")
        }
    }

    /// Refuses, before anything else is looked at, an action the caller may not perform.
    public static func authorize(_ action: TicketActionName, by principal: Principal) throws(ServiceError) {
        guard AccessPolicy.mayPerform(action, principal: principal) else {
            throw ServiceError.forbidden("Only service centre staff may \(action.rawValue) a ticket.")
        }
    }

    /// Checks that what the action points to exists, that an agent takes only tickets of a team
    /// they belong to, and that only staff give a ticket to someone else.
    private func checkReferences(of action: TicketAction, on record: TicketRecord, by principal: Principal, directory: DirectoryRepository) async throws {
        switch action {
        case .assign(let teamID), .escalate(let teamID, _):
            guard try await directory.team(id: teamID) != nil else {
                throw ServiceError.invalid("team_id", "No team has the id \(teamID).")
            }
        case .take(let agentID):
            if agentID != principal.personID && !principal.isStaff {
                throw ServiceError.forbidden("A contractor's agent takes tickets for themselves only.")
            }
            guard try await directory.person(id: agentID) != nil else {
                throw ServiceError.invalid("agent_id", "No person has the id \(agentID).")
            }
            if let team = record.team, try await !directory.isMember(personID: agentID, teamID: team.id) {
                throw ServiceError.invalid("agent_id", "Person \(agentID) is not a member of the team \(team.name); assign the ticket to their team first.")
            }
            if record.team == nil {
                throw ServiceError.invalid("team_id", "The ticket has no team yet; assign it to a team first.")
            }
        default:
            break
        }
    }
}
