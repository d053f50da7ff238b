import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// What auto-assignment reads: the ticket's facts, the rules, the teams, the agents' loads.
public struct DispatchRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The ticket's kind, service family and département, and the CIs it names with theirs.
    public func facts(ticketID: Int64) async throws -> DispatchFacts? {
        let rows = try await connection.query(
            """
            SELECT t.kind, s.family, o.department_code, named.classes, named.departments FROM tickets t
            JOIN organizations o ON o.id = t.establishment_id LEFT JOIN services s ON s.id = t.service_id
            LEFT JOIN LATERAL (
                SELECT array_agg(c.class ORDER BY l.linked_at, c.id) AS classes,
                    array_agg(coalesce(co.department_code, '') ORDER BY l.linked_at, c.id) AS departments
                FROM ticket_cis l JOIN cis c ON c.id = l.ci_id LEFT JOIN organizations co ON co.id = c.establishment_id
                WHERE l.ticket_id = t.id
            ) named ON true
            WHERE t.id = \(ticketID)
            """,
            logger: logger
        )
        for try await (kind, family, department, classes, departments) in rows.decode((String, String?, String?, [String]?, [String]?).self) {
            let cis = zip(classes ?? [], departments ?? []).compactMap { ciClass, place in
                CIClass(rawValue: ciClass).map { DispatchFacts.CI(ciClass: $0, departmentCode: place.isEmpty ? nil : place) }
            }
            return DispatchFacts(kind: TicketKind(rawValue: kind) ?? .incident, serviceFamily: family, departmentCode: department, cis: cis)
        }
        return nil
    }

    public func rules() async throws -> [RoutingRule] {
        let rows = try await connection.query(
            """
            SELECT position, service_family, ticket_kind, ci_family, ci_class, department_code, team_id, department_team_kind
            FROM routing_rules ORDER BY position, id
            """,
            logger: logger
        )
        var rules: [RoutingRule] = []
        for try await (position, family, kind, ciFamily, ciClass, department, teamID, departmentKind) in rows.decode(
            (Int, String?, String?, String?, String?, String?, Int64?, String?).self
        ) {
            let target: RoutingRule.Target
            if let teamID {
                target = .team(teamID)
            } else if let kind = departmentKind.flatMap(TeamProfile.Kind.init(rawValue:)) {
                target = .departmentTeam(kind)
            } else {
                continue
            }
            rules.append(
                RoutingRule(
                    position: position, serviceFamily: family, ticketKind: kind.flatMap(TicketKind.init(rawValue:)),
                    ciFamily: ciFamily.flatMap(CIClass.Family.init(rawValue:)), ciClass: ciClass.flatMap(CIClass.init(rawValue:)),
                    departmentCode: department, target: target
                )
            )
        }
        return rules
    }

    /// Every team, by id.
    public func teams() async throws -> [TeamProfile] {
        let rows = try await connection.query("SELECT id, kind, department_code FROM teams ORDER BY id", logger: logger)
        var teams: [TeamProfile] = []
        for try await (id, kind, department) in rows.decode((Int64, String, String?).self) {
            teams.append(TeamProfile(id: id, kind: TeamProfile.Kind(rawValue: kind) ?? .serviceDesk, departmentCode: department))
        }
        return teams
    }

    /// The members of a team with their open tickets: the folded count of `agent_workloads` plus
    /// the changes the trigger on tickets appended since the last fold.
    public func agentLoads(teamID: Int64) async throws -> [AgentLoad] {
        let rows = try await connection.prepared(AgentLoads.self, Self.agentLoadsQuery(teamID: teamID), logger: logger)
        var loads: [AgentLoad] = []
        for try await row in rows {
            let (personID, available, open, last) = try row.decode((Int64, Bool, Int32, Double?).self)
            loads.append(AgentLoad(personID: personID, available: available, openTickets: Int(open), lastAssignedAt: last))
        }
        return loads
    }

    static func agentLoadsQuery(teamID: Int64) -> PostgresQuery {
        """
        SELECT m.person_id, m.available, (coalesce(w.open_tickets, 0) + coalesce(c.open_delta, 0))::integer,
            extract(epoch FROM greatest(w.last_taken_at, c.taken_at))::float8
        FROM team_members m JOIN accounts a ON a.person_id = m.person_id
        LEFT JOIN agent_workloads w ON w.person_id = m.person_id
        LEFT JOIN LATERAL (
            SELECT sum(open_delta) AS open_delta, max(taken_at) AS taken_at FROM agent_workload_changes WHERE person_id = m.person_id
        ) c ON true
        WHERE m.team_id = \(teamID) AND NOT a.disabled
        ORDER BY m.person_id
        """
    }

    /// Read by every assignment.
    struct AgentLoads: PreparedQuery {
        static let sql = agentLoadsQuery(teamID: 0).sql
        let query: PostgresQuery
    }

    /// Reserves for the transaction the first of `ranked` (members of the team, best choice
    /// first) that no other transaction is giving a ticket to, by locking their membership row
    /// with SKIP LOCKED. When every one of them is being given one at this instant (a burst
    /// larger than the team), the best choice is taken without waiting: assignments never queue
    /// behind each other, and a burst leaves the agents' loads apart by at most its size, which
    /// the next assignments even out.
    public func reserve(teamID: Int64, ranked: [Int64]) async throws -> Int64? {
        guard let first = ranked.first else { return nil }
        let rows = try await connection.query(
            """
            SELECT person_id FROM team_members WHERE team_id = \(teamID) AND person_id = ANY(\(ranked))
            ORDER BY array_position(\(ranked), person_id) LIMIT 1
            FOR UPDATE SKIP LOCKED
            """,
            logger: logger
        )
        for try await personID in rows.decode(Int64.self) { return personID }
        return first
    }

    /// Folds the workload changes appended since the last fold into `agent_workloads`; returns how
    /// many it folded.
    public func foldWorkloads() async throws -> Int {
        let rows = try await connection.query("SELECT fold_agent_workload_changes()", logger: logger)
        for try await folded in rows.decode(Int64.self) { return Int(folded) }
        return 0
    }
}
