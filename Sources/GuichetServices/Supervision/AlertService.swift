import Foundation
import GuichetDomain
import GuichetQueue
import GuichetStore
import Logging

/// Monitoring's way in. An API node stores each notification whole and enqueues its processing in
/// one transaction; a worker then applies its alerts one transaction each, so that a notification
/// processed again (a retried job) finds its alerts already applied and changes nothing.
public struct AlertService: Sendable {
    let database: Database
    let transactions: Transactions
    let tickets: TicketService
    let logger: Logger
    let clock: WallClock

    /// An alert that fires again this long after its incident was resolved reopens it.
    public static let holdDown: TimeInterval = 30 * 60
    /// How long an alert on a CI that depends on others waits for its cause's alert before opening
    /// its own incident (the children of an outage often arrive before its root).
    public static let causeWindow: Duration = .seconds(1)
    /// The largest notification taken.
    public static let maxBytes = 1_048_576

    public init(database: Database, notifier: JobNotifier, tickets: TicketService, logger: Logger, clock: WallClock = .system) {
        self.database = database
        transactions = Transactions(database: database, notifier: notifier)
        self.tickets = tickets
        self.logger = logger
        self.clock = clock
    }

    /// The formats notifications come in, each on its own route.
    public enum Format: String, Sendable, CaseIterable {
        case alertmanager, nagios, guichet

        /// The alerts of a body, or what is wrong with it.
        public func signals(from body: Data, now: Date) throws(AlertPayloadProblem) -> [AlertSignal] {
            switch self {
            case .alertmanager: try AlertmanagerPayload.signals(from: body)
            case .nagios: try NagiosNotification.signals(from: body, now: now)
            case .guichet: try GuichetAlertPayload.signals(from: body, now: now)
            }
        }
    }

    /// What the intake answers: the notification recorded, and how many alerts it holds.
    public struct Received: Sendable, Codable, Equatable {
        public var id: Int64
        public var alerts: Int
    }

    /// Checks a notification, stores it and enqueues its processing; one that cannot be read
    /// throws its `AlertPayloadProblem`.
    public func receive(_ body: Data, format: Format, by principal: Principal) async throws -> Received {
        guard AccessPolicy.mayReportAlerts(principal) else {
            throw ServiceError.forbidden("Alerts are sent with a monitoring source's token (scope alerts) or by an administrator.")
        }
        let signals = try format.signals(from: body, now: clock.now())
        let text = String(decoding: body, as: UTF8.self)
        return try await transactions.run { work in
            let id = try await AlertRepository(connection: work.connection, logger: logger).recordNotification(
                format: format.rawValue, body: text, accountID: principal.personID
            )
            try await work.enqueue(ProcessAlerts(notificationId: id).job)
            return Received(id: id, alerts: signals.count)
        }
    }

    /// Applies the alerts of a stored notification; returns how many changed something.
    @discardableResult
    public func process(_ notificationID: Int64) async throws -> Int {
        let stored = try await database.client.withConnection {
            try await AlertRepository(connection: $0, logger: logger).notification(id: notificationID)
        }
        guard let stored, let format = Format(rawValue: stored.format) else { return 0 }
        guard let principal = try await database.client.withConnection({
            try await DirectoryRepository(connection: $0, logger: logger).principal(personID: stored.accountID)
        }) else {
            logger.warning("alerts of a disabled monitoring account left aside", metadata: ["notification": "\(notificationID)"])
            return 0
        }
        let signals = (try? format.signals(from: Data(stored.body.utf8), now: clock.now())) ?? []
        var changed = 0
        for signal in signals where try await apply(signal, from: stored, by: principal) { changed += 1 }
        try await database.client.withConnection {
            try await AlertRepository(connection: $0, logger: logger).markProcessed(id: notificationID, alerts: signals.count, changed: changed)
        }
        return changed
    }

    /// One alert in one transaction, serialised with the other alerts of its establishment so that
    /// two workers never open two incidents for one outage. Returns whether it changed anything.
    private func apply(_ signal: AlertSignal, from stored: StoredAlertNotification, by principal: Principal) async throws -> Bool {
        try await transactions.run { work in
            let alerts = AlertRepository(connection: work.connection, logger: logger)
            if let acknowledgement = signal.acknowledgement {
                guard let ticketID = try await alerts.acknowledge(signal, accountID: stored.accountID, notificationID: stored.id),
                    let record = try await TicketRepository(connection: work.connection, logger: logger).find(.id(ticketID), scope: .all, lock: true),
                    record.status != .closed
                else { return false }
                _ = try await tickets.addComment(acknowledgement, visibility: .internal, origin: .monitoring, to: record, by: principal, in: work)
                return true
            }
            if try await alerts.countReplay(signal, accountID: stored.accountID) { return false }
            let ci = try await alerts.ci(for: signal)
            try await lockCorrelation(of: ci, in: work)
            let applied = try await alerts.apply(signal, accountID: stored.accountID, ciID: ci?.id, notificationID: stored.id)
            switch (applied.outcome, signal.status) {
            case (.replay, _), (.stale, _), (.changed(previous: .firing), .firing), (.new, .resolved):
                return applied.outcome != .replay
            case (_, .firing):
                try await raise(signal, alert: applied, ci: ci, by: principal, mayWait: true, in: work)
            case (_, .resolved):
                if let ticketID = applied.ticketID { try await recover(ticketID, at: signal.endsAt ?? clock.now(), by: principal, in: work) }
            }
            return true
        }
    }

    /// Serialises the alerts of one establishment (or of the CIs of none), so that two workers
    /// never open two incidents for one outage.
    private func lockCorrelation(of ci: AlertCI?, in work: UnitOfWork) async throws {
        try await work.connection.query("SELECT pg_advisory_xact_lock(7014, \(Int32(truncatingIfNeeded: ci?.establishmentID ?? 0)))", logger: logger)
    }

    /// Opens the incident of an alert that waited for its cause (`RaiseAlert`), unless the cause's
    /// incident gathered it meanwhile or it has resolved.
    public func raiseWaiting(_ alertID: Int64) async throws {
        try await transactions.run { work in
            let alerts = AlertRepository(connection: work.connection, logger: logger)
            var ci: AlertCI?
            if let ciID = try await alerts.pendingCI(alertID: alertID) { ci = try await alerts.ci(id: ciID) }
            try await lockCorrelation(of: ci, in: work)
            guard let pending = try await alerts.pending(alertID: alertID),
                let principal = try await DirectoryRepository(connection: work.connection, logger: logger).principal(personID: pending.accountID)
            else { return }
            let alert = AppliedAlert(id: alertID, ticketID: nil, outcome: .new)
            try await raise(pending.signal, alert: alert, ci: ci, by: principal, mayWait: false, in: work)
        }
    }

    /// A firing alert joins the open incident it belongs to (its own, its cause's, its
    /// establishment's network's), reopens its incident resolved within the hold-down, waits a
    /// moment for its cause when its CI depends on others and is not the root of a site's network
    /// (`mayWait`), or opens one.
    private func raise(_ signal: AlertSignal, alert: AppliedAlert, ci: AlertCI?, by principal: Principal, mayWait: Bool, in work: UnitOfWork) async throws {
        let alerts = AlertRepository(connection: work.connection, logger: logger)
        let repository = TicketRepository(connection: work.connection, logger: logger)
        if let ticketID = alert.ticketID, let own = try await repository.find(.id(ticketID), scope: .all, lock: true) {
            switch own.status {
            case .resolved where (own.resolvedAt.map { clock.now().timeIntervalSince($0) } ?? .infinity) <= Self.holdDown:
                _ = try await tickets.pipeline.change(own, by: .system(note: .alertFiredAgain(summary: signal.summary)), [.reopen(reason: signal.summary)], in: work)
                return
            case .resolved, .closed:
                break
            default:
                return
            }
        }
        var joined: Int64?
        if let ci {
            joined = try await alerts.incidentUpstream(of: ci.id)
            if joined == nil, ci.ciClass.family == .network, let establishment = ci.establishmentID {
                joined = try await alerts.networkIncident(establishmentID: establishment)
            }
        }
        if let joined {
            try await alerts.attach(alertID: alert.id, toTicket: joined)
            if let ci { try await tickets.link(ci.id, toTicket: joined, by: principal, in: work) }
            return
        }
        // an establishment's router, core switch or firewall is the root of its outage: it never waits
        if mayWait, let ci, !MonitoringIncident.isSiteRoot(ci), try await alerts.dependsOnAnother(ci.id) {
            try await work.enqueue(RaiseAlert(alertId: alert.id).job(at: clock.now().addingTimeInterval(Self.causeWindow.seconds)))
            return
        }
        let request = MonitoringIncident(signal: signal, ci: ci).request
        let record = try await tickets.insertTicket(request, checked: try request.validated(), by: principal, in: work)
        try await alerts.attach(alertID: alert.id, toTicket: record.id)
        if let ci {
            let gathered = try await alerts.gather(
                intoTicket: record.id, below: ci.id, networkOf: ci.ciClass.family == .network ? ci.establishmentID : nil
            )
            for other in Set(gathered) where other != ci.id { try await tickets.link(other, toTicket: record.id, by: principal, in: work) }
        }
        logger.notice("monitoring incident opened", metadata: ["ticket": "\(record.ref)", "alert": "\(signal.source)/\(signal.key)"])
    }

    /// When the last alert of an incident has recovered, it is resolved if no one had taken it in
    /// hand; otherwise its agent is told, in an internal note, and decides.
    private func recover(_ ticketID: Int64, at time: Date, by principal: Principal, in work: UnitOfWork) async throws {
        let alerts = AlertRepository(connection: work.connection, logger: logger)
        guard try await alerts.firingAlerts(ofTicket: ticketID) == 0,
            let record = try await TicketRepository(connection: work.connection, logger: logger).find(.id(ticketID), scope: .all, lock: true),
            ![.resolved, .closed].contains(record.status)
        else { return }
        let resolvable = TicketLifecycle.allowedSources(of: .resolve).contains(record.status)
        if resolvable, try await !alerts.handledByPeople(ticketID: ticketID) {
            let resolution = Resolution(code: MonitoringIncident.recoveredCode, solution: MonitoringIncident.recoveredText(at: time), mode: .remote)
            _ = try await tickets.pipeline.change(record, by: .system(note: .alertsRecovered(at: time)), [.resolve(resolution)], in: work)
        } else {
            _ = try await tickets.addComment(MonitoringIncident.recoveredText(at: time), visibility: .internal, origin: .monitoring, to: record, by: principal, in: work)
        }
    }

    /// The alerts of an incident with their timelines, for the service centre's staff.
    public func alerts(ofTicket key: String, for principal: Principal) async throws -> [AlertView] {
        guard principal.isStaff else { throw ServiceError.forbidden("The service centre's staff read the alerts of incidents.") }
        return try await database.client.withConnection { connection in
            let record = try await TicketRepository(connection: connection, logger: logger).visible(key, to: principal)
            return try await AlertRepository(connection: connection, logger: logger).alerts(ofTicket: record.id).map { AlertView($0, withEvents: true) }
        }
    }

    /// Alerts found by their summary, key, source or CI, newest first, for the service centre's staff.
    public func search(_ text: String?, status: AlertSignal.Status?, cursor: String?, limit: Int, for principal: Principal) async throws -> AlertPage {
        guard principal.isStaff else { throw ServiceError.forbidden("The service centre's staff search the alerts.") }
        var after: Int64?
        if let cursor {
            guard let id = TicketCursor.decode(cursor) else { throw ServiceError.invalid("cursor", "The cursor is not one this server gave out.") }
            after = id
        }
        let records = try await database.client.withConnection {
            try await AlertRepository(connection: $0, logger: logger).search(text, status: status, afterID: after, limit: limit + 1)
        }
        let page = records.prefix(limit)
        return AlertPage(items: page.map { AlertView($0, withEvents: false) }, nextCursor: records.count > limit ? page.last.map { TicketCursor.encode($0.id) } : nil)
    }
}
