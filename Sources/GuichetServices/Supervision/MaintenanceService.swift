import Foundation
import GuichetDomain
import GuichetQueue
import GuichetStore
import Logging

/// Maintenance windows: the service centre's staff declare and cancel them; everyone signed in
/// reads those of their perimeter (the status board shows them). While a window runs, monitoring
/// opens no new incident for what it covers; when it ends early, the alerts it held back that still
/// fire raise their incidents.
public struct MaintenanceService: Sendable {
    let database: Database
    let transactions: Transactions
    let logger: Logger
    let clock: WallClock

    /// How far ahead the list and the status board show planned maintenance.
    public static let horizon: TimeInterval = 14 * 86_400

    public init(database: Database, notifier: JobNotifier, logger: Logger, clock: WallClock = .system) {
        self.database = database
        transactions = Transactions(database: database, notifier: notifier)
        self.logger = logger
        self.clock = clock
    }

    public func declare(_ request: MaintenanceRequest, by principal: Principal) async throws -> MaintenanceView {
        guard principal.isStaff else { throw ServiceError.forbidden("The service centre's staff declare maintenance windows.") }
        let problems = request.problems(now: clock.now())
        guard problems.isEmpty else { throw ServiceError.validation(problems.map { FieldProblem(field: $0.field, message: $0.reason) }) }
        return try await transactions.run { work in
            var ciID: Int64?
            var establishmentID: Int64?
            if let ci = request.ci {
                guard let id = try await CIRepository(connection: work.connection, logger: logger).resolve(ci, source: nil, establishmentID: nil) else {
                    throw ServiceError.invalid("ci", "No configuration item is named \(ci).")
                }
                ciID = id
            }
            if let code = request.establishment {
                guard let organization = try await DirectoryRepository(connection: work.connection, logger: logger).organization(idOrCode: code),
                    organization.kind == .establishment
                else { throw ServiceError.invalid("establishment", "No establishment has the UAI \(code).") }
                establishmentID = organization.id
            }
            let repository = MaintenanceRepository(connection: work.connection, logger: logger)
            let inserted = try await repository.insert(
                ciID: ciID, establishmentID: establishmentID, startsAt: request.startsAt, endsAt: request.endsAt,
                reason: request.reason.trimmingCharacters(in: .whitespacesAndNewlines), by: principal.personID
            )
            guard let id = inserted, let record = try await repository.find(id: id) else { throw ServiceError.notFound("maintenance window") }
            return MaintenanceView(record)
        }
    }

    /// The windows running or starting within the horizon, in the reader's perimeter.
    public func upcoming(for principal: Principal) async throws -> [MaintenanceView] {
        guard principal.scopes.contains(.read) else { throw ServiceError.forbidden("Reading maintenance windows takes a token with the read scope.") }
        let now = clock.now()
        return try await database.client.withConnection {
            try await MaintenanceRepository(connection: $0, logger: logger).upcoming(scope: CIScope(of: principal), now: now, until: now.addingTimeInterval(Self.horizon))
        }.map(MaintenanceView.init)
    }

    /// Cancels a window; the alerts it held back that still fire raise their incidents at once.
    public func cancel(_ id: Int64, by principal: Principal) async throws {
        guard principal.isStaff else { throw ServiceError.forbidden("The service centre's staff cancel maintenance windows.") }
        try await transactions.run { work in
            let repository = MaintenanceRepository(connection: work.connection, logger: logger)
            guard try await repository.find(id: id) != nil else { throw ServiceError.notFound("maintenance window") }
            guard try await repository.cancel(id: id, at: clock.now()) else { throw ServiceError.conflict("This maintenance window is over or cancelled already.") }
            try await Self.release(windowID: id, in: work)
        }
    }

    /// Enqueues the raising of the alerts a window held back that still fire without an incident.
    static func release(windowID: Int64, in work: UnitOfWork) async throws {
        for alert in try await MaintenanceRepository(connection: work.connection, logger: work.logger).suppressedAlerts(by: windowID) {
            try await work.enqueue(RaiseAlert(alertId: alert).job(releasedBy: windowID))
        }
    }
}

/// A maintenance window as the API and the status board show it.
public struct MaintenanceView: Sendable, Equatable, Codable {
    public struct CIRef: Sendable, Equatable, Codable {
        public var id: Int64
        public var name: String
    }

    public struct EstablishmentRef: Sendable, Equatable, Codable {
        public var id: Int64
        public var code: String?
        public var name: String
    }

    public var id: Int64
    public var ci: CIRef?
    /// The establishment it covers, or that of its CI (none for a region-wide CI).
    public var establishment: EstablishmentRef?
    public var startsAt: Date
    /// None for a downtime received from monitoring, until its end is received.
    public var endsAt: Date?
    public var reason: String
    /// `guichet` when declared here, else the monitoring source it was received from.
    public var source: String

    init(_ record: MaintenanceRecord) {
        id = record.id
        ci = record.ciID.map { CIRef(id: $0, name: record.ciName ?? "") }
        establishment = record.establishmentID.map { EstablishmentRef(id: $0, code: record.establishmentCode, name: record.establishmentName ?? "") }
        startsAt = record.startsAt
        endsAt = record.endsAt
        reason = record.reason
        source = record.source ?? "guichet"
    }
}
