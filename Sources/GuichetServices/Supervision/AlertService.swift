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
    /// An alert that changes state more than `flapChanges` times within `flapWindow` is flapping;
    /// it has settled after `settleAfter` without a change.
    public static let flapChanges = 5
    public static let flapWindow: TimeInterval = 30 * 60
    public static let settleAfter: TimeInterval = 10 * 60
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
        for signal in signals where signal.acknowledgement != nil {
            if try await acknowledge(signal, from: stored, by: principal) { changed += 1 }
        }
        for signal in signals where signal.downtime != nil {
            if try await applyDowntime(signal, from: stored) { changed += 1 }
        }
        for signal in signals where signal.flapping != nil {
            if try await applyFlapping(signal, from: stored) { changed += 1 }
        }
        for batch in Self.batches(signals.filter { $0.acknowledgement == nil && $0.downtime == nil && $0.flapping == nil }) {
            changed += try await apply(batch, from: stored, by: principal)
        }
        try await database.client.withConnection {
            try await AlertRepository(connection: $0, logger: logger).markProcessed(id: notificationID, alerts: signals.count, changed: changed)
        }
        return changed
    }

    /// The most signals applied in one transaction.
    static let batchSize = 500

    /// A notification's signals in batches of distinct alerts, in order: a notification that tells of
    /// one alert twice has it applied twice, one after the other.
    static func batches(_ signals: [AlertSignal]) -> [[AlertSignal]] {
        var batches: [[AlertSignal]] = []
        var batch: [AlertSignal] = []
        var identities: Set<[String]> = []
        for signal in signals {
            let identity = [signal.source, signal.key]
            if batch.count == batchSize || identities.contains(identity) {
                batches.append(batch)
                batch = []
                identities = []
            }
            batch.append(signal)
            identities.insert(identity)
        }
        if !batch.isEmpty { batches.append(batch) }
        return batches
    }

    /// An acknowledgement in the monitoring tool: an internal note on the alert's incident, once
    /// per occurrence.
    private func acknowledge(_ signal: AlertSignal, from stored: StoredAlertNotification, by principal: Principal) async throws -> Bool {
        try await transactions.run { work in
            guard let note = signal.acknowledgement,
                let ticketID = try await AlertRepository(connection: work.connection, logger: logger).acknowledge(signal, accountID: stored.accountID, notificationID: stored.id),
                let record = try await TicketRepository(connection: work.connection, logger: logger).find(.id(ticketID), scope: .all, lock: true),
                record.status != .closed
            else { return false }
            _ = try await tickets.addComment(note, visibility: .internal, origin: .monitoring, to: record, by: principal, in: work)
            return true
        }
    }

    /// A downtime received from monitoring: a maintenance window on the alert's CI from its start
    /// until its end is received (a host the CMDB does not know is covered by none); at its end,
    /// the alerts it held back that still fire raise their incidents.
    private func applyDowntime(_ signal: AlertSignal, from stored: StoredAlertNotification) async throws -> Bool {
        try await transactions.run { work in
            let windows = MaintenanceRepository(connection: work.connection, logger: logger)
            switch signal.downtime {
            case .started(let reason)?:
                guard let ci = try await AlertRepository(connection: work.connection, logger: logger).cis(for: [signal]).first ?? nil else {
                    logger.notice("a downtime of a host the CMDB does not know covers nothing", metadata: ["alert": "\(signal.source)/\(signal.key)"])
                    return false
                }
                let id = try await windows.insert(
                    ciID: ci.id, establishmentID: nil, startsAt: signal.startsAt, endsAt: nil, reason: reason, by: stored.accountID, source: (signal.source, signal.key)
                )
                return id != nil
            case .ended?:
                guard let id = try await windows.endDowntime(source: signal.source, key: signal.key, by: stored.accountID, at: signal.endsAt ?? clock.now()) else {
                    return false
                }
                try await MaintenanceService.release(windowID: id, in: work)
                return true
            case nil:
                return false
            }
        }
    }

    /// Applies a batch of signals in one transaction, serialised with the other alerts of their
    /// establishments so that two workers never open two incidents for one outage: the replays are
    /// counted first, on their own; the rest are applied together, then the firing ones raise or
    /// join incidents (an establishment's network roots first, whose incident gathers the rest) and
    /// the incidents whose alerts resolved recover. Returns how many signals changed something.
    private func apply(_ batch: [AlertSignal], from stored: StoredAlertNotification, by principal: Principal) async throws -> Int {
        let replays = try await transactions.run { work in
            try await AlertRepository(connection: work.connection, logger: logger).countReplays(batch, accountID: stored.accountID)
        }
        let fresh = batch.enumerated().filter { !replays.contains($0.offset) }.map(\.element)
        guard !fresh.isEmpty else { return 0 }
        return try await transactions.run { work in
            let alerts = AlertRepository(connection: work.connection, logger: logger)
            let cis = try await alerts.cis(for: fresh)
            for establishment in Set(cis.map { $0?.establishmentID ?? 0 }).sorted() { try await lockCorrelation(ofEstablishment: establishment, in: work) }
            let applied = try await alerts.apply(fresh, cis: cis, accountID: stored.accountID, notificationID: stored.id)
            let changes = try await alerts.changes(
                of: applied.filter { if case .changed = $0.outcome { !$0.flapping } else { false } }.map(\.id), since: clock.now().addingTimeInterval(-Self.flapWindow)
            )
            var changed = 0
            var raising: [(signal: AlertSignal, alert: AppliedAlert, ci: AlertCI?)] = []
            var recovered: [Int64: Date] = [:]
            for (index, signal) in fresh.enumerated() {
                let alert = applied[index]
                guard alert.outcome != .replay else { continue }
                changed += 1
                switch (alert.outcome, signal.status) {
                case (.stale, _), (.changed(previous: .firing), .firing), (.new, .resolved):
                    continue
                case (.changed, _) where alert.flapping:
                    // a flapping alert's incident waits until it settles
                    continue
                case (.changed, _) where (changes[alert.id] ?? 0) > Self.flapChanges:
                    try await startFlapping(alert.id, summary: signal.summary, changes: changes[alert.id] ?? 0, in: work)
                case (_, .firing):
                    raising.append((signal, alert, cis[index]))
                case (_, .resolved):
                    guard let ticketID = alert.ticketID else { continue }
                    let at = signal.endsAt ?? clock.now()
                    recovered[ticketID] = max(at, recovered[ticketID] ?? at)
                }
            }
            let roots = raising.filter { $0.ci.map(MonitoringIncident.isSiteRoot) ?? false }
            var settled: Set<Int64> = []
            for item in roots + raising.filter({ !($0.ci.map(MonitoringIncident.isSiteRoot) ?? false) }) where !settled.contains(item.alert.id) {
                settled.formUnion(try await raise(item.signal, alert: item.alert, ci: item.ci, by: principal, mayWait: true, in: work))
            }
            for (ticketID, at) in recovered.sorted(by: { $0.key < $1.key }) { try await recover(ticketID, at: at, by: principal, in: work) }
            return changed
        }
    }

    /// Serialises the alerts of one establishment (0: of the CIs of none, or of no CI), so that two
    /// workers never open two incidents for one outage.
    func lockCorrelation(ofEstablishment establishmentID: Int64, in work: UnitOfWork) async throws {
        try await work.connection.query("SELECT pg_advisory_xact_lock(7014, \(Int32(truncatingIfNeeded: establishmentID)))", logger: logger)
    }

    /// Opens the incident of an alert that waited for its cause (`RaiseAlert`), unless the cause's
    /// incident gathered it meanwhile or it has resolved.
    public func raiseWaiting(_ alertID: Int64) async throws {
        try await transactions.run { work in
            let alerts = AlertRepository(connection: work.connection, logger: logger)
            var ci: AlertCI?
            if let ciID = try await alerts.pendingCI(alertID: alertID) { ci = try await alerts.ci(id: ciID) }
            try await lockCorrelation(ofEstablishment: ci?.establishmentID ?? 0, in: work)
            guard let pending = try await alerts.pending(alertID: alertID),
                let principal = try await DirectoryRepository(connection: work.connection, logger: logger).principal(personID: pending.accountID)
            else { return }
            let alert = AppliedAlert(id: alertID, ticketID: nil, outcome: .new)
            _ = try await raise(pending.signal, alert: alert, ci: ci, by: principal, mayWait: false, in: work)
        }
    }

    /// A firing alert joins the open incident it belongs to (its own, its cause's, its
    /// establishment's network's), reopens its incident resolved within the hold-down, waits for the
    /// end of the maintenance window that covers its CI, waits a moment for its cause when its CI
    /// depends on others and is not the root of a site's network (`mayWait`), or opens one. Returns the alerts that now have their incident: this one, and
    /// those its new incident gathered.
    func raise(
        _ signal: AlertSignal, alert: AppliedAlert, ci: AlertCI?, by principal: Principal, mayWait: Bool, in work: UnitOfWork
    ) async throws -> Set<Int64> {
        let alerts = AlertRepository(connection: work.connection, logger: logger)
        let repository = TicketRepository(connection: work.connection, logger: logger)
        if let ticketID = alert.ticketID, let own = try await repository.find(.id(ticketID), scope: .all, lock: true) {
            switch own.status {
            case .resolved where (own.resolvedAt.map { clock.now().timeIntervalSince($0) } ?? .infinity) <= Self.holdDown:
                _ = try await tickets.pipeline.change(own, by: .system(note: .alertFiredAgain(summary: signal.summary)), [.reopen(reason: signal.summary)], in: work)
                return [alert.id]
            case .resolved, .closed:
                break
            default:
                return [alert.id]
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
            if let ci { try await tickets.link([ci.id], toTicket: joined, by: principal, in: work) }
            return [alert.id]
        }
        // a maintenance window holds back a new incident until it ends
        if let ci, let window = try await MaintenanceRepository(connection: work.connection, logger: logger).covering(ciID: ci.id, at: clock.now()) {
            try await MaintenanceRepository(connection: work.connection, logger: logger).suppress(alertID: alert.id, by: window.id)
            if let end = window.endsAt { try await work.enqueue(RaiseAlert(alertId: alert.id).job(releasedBy: window.id, at: end.addingTimeInterval(1))) }
            return [alert.id]
        }
        // an establishment's router, core switch or firewall is the root of its outage: it never waits
        if mayWait, let ci, !MonitoringIncident.isSiteRoot(ci), try await alerts.dependsOnAnother(ci.id) {
            try await work.enqueue(RaiseAlert(alertId: alert.id).job(at: clock.now().addingTimeInterval(Self.causeWindow.seconds)))
            return []
        }
        let request = MonitoringIncident(signal: signal, ci: ci).request
        let record = try await tickets.insertTicket(request, checked: try request.validated(), by: principal, in: work)
        try await alerts.attach(alertID: alert.id, toTicket: record.id)
        var settled: Set<Int64> = [alert.id]
        if let ci {
            let gathered = try await alerts.gather(
                intoTicket: record.id, below: ci.id, networkOf: ci.ciClass.family == .network ? ci.establishmentID : nil
            )
            settled.formUnion(gathered.map(\.alert))
            let others = Set(gathered.compactMap(\.ci)).subtracting([ci.id])
            if !others.isEmpty { try await tickets.link(others.sorted(), toTicket: record.id, by: principal, in: work) }
        }
        logger.notice("monitoring incident opened", metadata: ["ticket": "\(record.ref)", "alert": "\(signal.source)/\(signal.key)"])
        return settled
    }

    /// When the last alert of an incident has recovered, it is resolved if no one had taken it in
    /// hand; otherwise its agent is told, in an internal note, and decides.
    func recover(_ ticketID: Int64, at time: Date, by principal: Principal, in work: UnitOfWork) async throws {
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
}
