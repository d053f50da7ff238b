import Foundation
import GuichetDomain
import GuichetQueue
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
    let transactions: Transactions
    let pipeline: TicketPipeline
    let logger: Logger

    public init(database: Database, notifier: JobNotifier, logger: Logger, clock: WallClock = .system, publicURL: String? = nil) {
        self.database = database
        transactions = Transactions(database: database, notifier: notifier)
        pipeline = TicketPipeline(logger: logger, clock: clock, publicURL: publicURL)
        self.logger = logger
    }

    public func autoAssign(ticketID: Int64) async throws -> Outcome {
        try await transactions.run { work in
            let tickets = TicketRepository(connection: work.connection, logger: logger)
            guard let record = try await tickets.find(.id(ticketID), scope: .all, lock: true), record.status == .new else {
                return .alreadyDispatched
            }
            let dispatch = DispatchRepository(connection: work.connection, logger: logger)
            let teams = try await dispatch.teams()
            // the first service desk team receives what no rule dispatches
            guard let facts = try await dispatch.facts(ticketID: ticketID), let fallback = teams.first(where: { $0.kind == .serviceDesk })?.id else {
                throw AssignmentError.noServiceDesk
            }
            let teamID = Dispatcher.team(for: facts, rules: try await dispatch.rules(), teams: teams, fallback: fallback)
            let ranked = AgentPicker.ranked(try await dispatch.agentLoads(teamID: teamID))
            let agentID = try await dispatch.reserve(teamID: teamID, ranked: ranked)
            // both steps are saved in one write, each with its history entry
            let actions = [TicketAction.assign(teamID: teamID)] + (agentID.map { [TicketAction.take(agentID: $0)] } ?? [])
            do {
                _ = try await pipeline.change(record, by: .system(note: .autoAssignment), actions, in: work)
            } catch ServiceError.versionMismatch {
                return .alreadyDispatched
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
