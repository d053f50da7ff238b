import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// The status board: for each business service and establishment a reader may see, whether it is
/// up, degraded or down and since when, with the open monitoring incidents behind it; region-wide
/// services first. Everyone signed in reads it within their perimeter: requesters and
/// correspondents their establishment and the region-wide services, partners their perimeter,
/// contractors what their escalations concern, staff everything. Maintenance running or planned within
/// the next fortnight shows on the lines it concerns.
public struct StatusBoard: Sendable {
    let database: Database
    let logger: Logger
    let clock: WallClock

    public init(database: Database, logger: Logger, clock: WallClock = .system) {
        self.database = database
        self.logger = logger
        self.clock = clock
    }

    public func board(for principal: Principal) async throws -> StatusBoardView {
        guard principal.scopes.contains(.read) else {
            throw ServiceError.forbidden("Reading the status board takes a token with the read scope.")
        }
        let scope = CIScope(of: principal)
        let now = clock.now()
        let until = now.addingTimeInterval(MaintenanceService.horizon)
        return try await database.client.withConnection { connection in
            let repository = StatusRepository(connection: connection, logger: logger)
            let services = try await repository.services(scope: scope, now: now, until: until)
            let establishments = try await repository.establishments(scope: scope, now: now, until: until)
            let lines = services + establishments
            let incidents = try await repository.incidents(Array(Set(lines.flatMap(\.incidentIDs))))
            let windows = try await MaintenanceRepository(connection: connection, logger: logger).find(ids: Array(Set(lines.flatMap(\.maintenanceIDs))))
            let line = { (line: StatusLine) in
                StatusLineView(
                    line, incidents: line.incidentIDs.compactMap { incidents[$0] },
                    maintenance: line.maintenanceIDs.compactMap { windows[$0] }.map(MaintenanceView.init)
                )
            }
            return StatusBoardView(at: now, services: services.map(line), establishments: establishments.map(line))
        }
    }
}

/// The status board as the API and the page show it.
public struct StatusBoardView: Sendable, Equatable, Codable {
    public var at: Date
    public var services: [StatusLineView]
    public var establishments: [StatusLineView]

    /// How many lines are in each state, for the board's heading.
    public func count(_ state: StatusLineView.State) -> Int { (services + establishments).filter { $0.state == state }.count }
}

public struct StatusLineView: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case up, degraded, down
    }

    public struct Incident: Sendable, Equatable, Codable {
        public var ref: String
        /// The incident's title, which monitoring wrote: what is down, and where.
        public var summary: String
        public var priority: Int
        public var status: TicketStatus
        public var since: Date
    }

    public var kind: StatusLine.Kind
    public var id: Int64
    public var name: String
    /// The establishment's UAI (for a service, of the establishment it belongs to; none when
    /// region-wide).
    public var code: String?
    public var state: State
    /// Since when it is down or degraded.
    public var since: Date?
    public var incidents: [Incident]
    /// The maintenance running or planned on it, soonest first.
    public var maintenance: [MaintenanceView]

    init(_ line: StatusLine, incidents: [StatusIncident], maintenance: [MaintenanceView]) {
        kind = line.kind
        id = line.id
        name = line.name
        code = line.code
        state = line.downSince != nil ? .down : line.degradedSince != nil ? .degraded : .up
        since = line.downSince ?? line.degradedSince
        self.incidents = incidents.sorted { $0.createdAt < $1.createdAt }.map {
            Incident(ref: $0.ref, summary: $0.title, priority: $0.priority, status: $0.status, since: $0.createdAt)
        }
        self.maintenance = maintenance.sorted { ($0.startsAt, $0.id) < ($1.startsAt, $1.id) }
    }
}
