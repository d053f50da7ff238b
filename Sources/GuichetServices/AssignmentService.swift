import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// Auto-assignment: sends a new ticket to the team its rules name and to that team's least-loaded
/// available agent. Idempotent: a ticket that is no longer `new` is left as it is.
public struct AssignmentService: Sendable {
    public enum Outcome: Sendable, Equatable {
        case assigned(teamID: Int64, agentID: Int64?)
        /// Someone or something dispatched it already (or it is gone).
        case alreadyDispatched
    }

    let database: Database
    let logger: Logger
    let clock: WallClock
    /// Where users reach Guichet, for the links in notifications.
    let publicURL: String?

    public init(database: Database, logger: Logger, clock: WallClock = .system, publicURL: String? = nil) {
        self.database = database
        self.logger = logger
        self.clock = clock
        self.publicURL = publicURL
    }

    public func autoAssign(ticketID: Int64) async throws -> Outcome {
        try await database.transaction { connection in
            let tickets = TicketRepository(connection: connection, logger: logger)
            guard let record = try await tickets.find(.id(ticketID), scope: .all, lock: true), record.status == .new else {
                return .alreadyDispatched
            }
            let dispatch = DispatchRepository(connection: connection, logger: logger)
            let teams = try await dispatch.teams()
            // the first service desk team receives what no rule dispatches
            guard let facts = try await dispatch.facts(ticketID: ticketID), let fallback = teams.first(where: { $0.kind == .serviceDesk })?.id else {
                throw AssignmentError.noServiceDesk
            }
            let teamID = Dispatcher.team(for: facts, rules: try await dispatch.rules(), teams: teams, fallback: fallback)
            let ranked = AgentPicker.ranked(try await dispatch.agentLoads(teamID: teamID))
            let agentID = try await dispatch.reserve(teamID: teamID, ranked: ranked)

            // Both steps are applied in memory and saved in one write, each with its history entry.
            let now = clock.now()
            var state = TicketState(record)
            var changes: [TicketChange] = []
            for action in [.assign(teamID: teamID)] + (agentID.map { [TicketAction.take(agentID: $0)] } ?? []) {
                let change = try TicketChange.applying(action, to: state, at: now)
                changes.append(change)
                state = change.state
            }
            guard try await tickets.save(id: ticketID, state: state, expectedVersion: record.version) != nil else { return .alreadyDispatched }
            let events = EventRepository(connection: connection, logger: logger)
            for change in changes {
                try await events.append(ticketID: ticketID, actorID: nil, kind: change.eventKind, changes: change.changes, note: "auto-assignment")
            }
            try await SLAKeeper(connection: connection, logger: logger).transition(ticketID: ticketID, from: record.status, to: state.status, at: now)
            if agentID != nil, let taken = try await tickets.find(.id(ticketID), scope: .all) {
                let notifications = NotificationComposer(connection: connection, logger: logger, publicURL: publicURL)
                try await notifications.notify(.taken, about: taken)
                try await notifications.notify(.assignedToYou, about: taken)
            }
            logger.info(
                "ticket dispatched",
                metadata: ["ticket": "\(record.ref)", "team": "\(teamID)", "agent": "\(agentID.map(String.init) ?? "none available")"]
            )
            return .assigned(teamID: teamID, agentID: agentID)
        }
    }

    /// Folds the agents' workload changes into their totals, so that the loads auto-assignment
    /// reads stay a handful of rows per agent; returns how many changes were folded.
    public func foldWorkloads() async throws -> Int {
        try await database.client.withConnection { try await DispatchRepository(connection: $0, logger: logger).foldWorkloads() }
    }
}

public enum AssignmentError: Error, CustomStringConvertible {
    case noServiceDesk

    public var description: String {
        "No service desk team exists to receive tickets that no rule dispatches; create one."
    }
}
