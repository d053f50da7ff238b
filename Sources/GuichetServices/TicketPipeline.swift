import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// Who changes a ticket: a person, within their rights, or Guichet itself, named in the history.
enum TicketActor: Sendable {
    case person(Principal)
    /// An automatic change (auto-assignment, auto-close); `note` says why, in the history.
    case system(note: SystemNote)

    var personID: Int64? {
        if case .person(let principal) = self { principal.personID } else { nil }
    }

    var requestID: String? {
        if case .person(let principal) = self { principal.requestID } else { nil }
    }

    /// Why Guichet acted; a person's steps carry their own words instead (a reason, a solution).
    var systemNote: SystemNote? {
        if case .system(let note) = self { note } else { nil }
    }
}

/// The one way a ticket changes, whoever changes it (an agent, the requester, the dispatch job, the
/// auto-close job, a reply by mail): check the actor's right, apply the lifecycle's transitions, save
/// with the version check, write the history, move the SLA clocks, enqueue the dispatch when the
/// ticket is new again, and write the notifications, all in the caller's unit of work.
struct TicketPipeline: Sendable {
    let logger: Logger
    let clock: WallClock
    /// Where users reach Guichet, for the links in notifications.
    let publicURL: String?

    /// Applies `actions` in order to a ticket the caller locked in `work`, and returns it as saved.
    /// Throws `ServiceError.versionMismatch` when the ticket changed since it was read.
    func change(_ record: TicketRecord, by actor: TicketActor, _ actions: [TicketAction], in work: UnitOfWork) async throws -> TicketRecord {
        let tickets = TicketRepository(connection: work.connection, logger: logger)
        let now = clock.now()
        var state = TicketState(record)
        var changes: [TicketChange] = []
        for action in actions {
            if case .person(let principal) = actor { try TicketService.authorize(action.name, by: principal) }
            do {
                changes.append(try TicketChange.applying(action, to: state, at: now))
            } catch {
                throw ServiceError.rule(error)
            }
            if case .person(let principal) = actor { try await checkHoldsAndReferences(action, on: record, by: principal, in: work) }
            state = changes[changes.count - 1].state
        }
        guard try await tickets.save(id: record.id, state: state, expectedVersion: record.version) != nil else {
            throw ServiceError.versionMismatch(current: record.version + 1)
        }
        let history = work.history
        for change in changes {
            try await history.append(
                ticketID: record.id, actorID: actor.personID, kind: change.eventKind, changes: change.changes,
                note: actor.systemNote == nil ? change.note : nil, systemNote: actor.systemNote, requestID: actor.requestID
            )
        }
        try await SLAKeeper(work: work).transition(ticketID: record.id, from: record.status, to: state.status, at: now)
        if state.status == .new {
            try await work.enqueue(AssignTicket(ticketId: record.id).job)
        }
        guard let updated = try await tickets.find(.id(record.id), scope: .all) else { throw StoreError.noRowReturned }
        let notifications = NotificationComposer(work: work, publicURL: publicURL)
        for action in actions { try await announce(action, on: updated, notifications: notifications) }
        logger.info(
            "ticket changed",
            metadata: ["ticket": "\(record.ref)", "actions": "\(actions.map(\.name.rawValue).joined(separator: ","))", "by": "\(actor.personID.map(String.init) ?? "guichet")"]
        )
        return updated
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

    /// A person's hold on this ticket (for a contractor) and what the action points to.
    private func checkHoldsAndReferences(_ action: TicketAction, on record: TicketRecord, by principal: Principal, in work: UnitOfWork) async throws {
        let directory = DirectoryRepository(connection: work.connection, logger: logger)
        try await Self.checkContractorHolds(record, by: principal, asAgent: action.name != .take, directory: directory)
        try await checkReferences(of: action, on: record, by: principal, directory: directory)
    }

    /// A contractor's agent sees every ticket ever escalated to their team, but changes only those
    /// with their team now, and, past taking it, only those they hold themselves.
    static func checkContractorHolds(_ record: TicketRecord, by principal: Principal, asAgent: Bool, directory: DirectoryRepository) async throws {
        guard principal.roles.contains(.contractor) else { return }
        guard let team = record.team, try await directory.isMember(personID: principal.personID, teamID: team.id)
        else { throw ServiceError.forbidden("Ticket \(record.ref) is no longer with your team; you may read it, not change it.") }
        if asAgent && record.agent?.id != principal.personID {
            throw ServiceError.forbidden("Take ticket \(record.ref) before working on it.")
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
