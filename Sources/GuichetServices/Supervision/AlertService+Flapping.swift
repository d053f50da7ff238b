import Foundation
import GuichetDomain
import GuichetStore

/// Flapping alerts: marked, left aside by their incident, and settled.
extension AlertService {
    /// The monitoring tool saw an alert start or stop flapping.
    func applyFlapping(_ signal: AlertSignal, from stored: StoredAlertNotification) async throws -> Bool {
        try await transactions.run { work in
            guard let alert = try await AlertRepository(connection: work.connection, logger: logger).alert(source: signal.source, key: signal.key, accountID: stored.accountID)
            else { return false }
            switch signal.flapping {
            case .started?:
                return try await startFlapping(alert.id, summary: signal.summary, changes: nil, in: work)
            case .stopped?:
                try await work.enqueue(SettleAlert(alertId: alert.id, stopped: true).job())
                return true
            case nil:
                return false
            }
        }
    }

    /// Marks an alert flapping: its incident gets a note and stops following it until it settles,
    /// which is looked at after `settleAfter`. Returns whether it was not flapping already.
    @discardableResult
    func startFlapping(_ alertID: Int64, summary: String, changes: Int?, in work: UnitOfWork) async throws -> Bool {
        let now = clock.now()
        guard let marked = try await AlertRepository(connection: work.connection, logger: logger).markFlapping(alertID: alertID, at: now) else { return false }
        if let ticketID = marked { try await note(MonitoringIncident.flappingText(summary: summary, changes: changes), onTicket: ticketID, in: work) }
        try await work.enqueue(SettleAlert(alertId: alertID).job(at: now.addingTimeInterval(Self.settleAfter)))
        return true
    }

    /// Looks at a flapping alert again (`SettleAlert`): unless it changed within `settleAfter` (and
    /// the monitoring tool did not say it stopped), it has settled, its incident is told, and the
    /// incident follows its state again: opened or reopened if it fires, resolved if it recovered.
    public func settle(_ alertID: Int64, stopped: Bool) async throws {
        try await transactions.run { work in
            let alerts = AlertRepository(connection: work.connection, logger: logger)
            var ci: AlertCI?
            if let ciID = try await alerts.flappingState(alertID: alertID, lock: false)?.ciID { ci = try await alerts.ci(id: ciID) }
            try await lockCorrelation(ofEstablishment: ci?.establishmentID ?? 0, in: work)
            guard let state = try await alerts.flappingState(alertID: alertID, lock: true), state.flappingSince != nil else { return }
            let now = clock.now()
            if !stopped, let last = state.lastChange, now.timeIntervalSince(last) < Self.settleAfter {
                try await work.enqueue(SettleAlert(alertId: alertID).job(at: last.addingTimeInterval(Self.settleAfter)))
                return
            }
            try await alerts.clearFlapping(alertID: alertID, at: now)
            if let ticketID = state.ticketID { try await note(MonitoringIncident.settledText(summary: state.summary, status: state.status), onTicket: ticketID, in: work) }
            switch state.status {
            case .firing:
                guard let pending = try await alerts.pending(alertID: alertID, withIncident: true),
                    let principal = try await DirectoryRepository(connection: work.connection, logger: logger).principal(personID: pending.accountID)
                else { return }
                let alert = AppliedAlert(id: alertID, ticketID: state.ticketID, outcome: state.ticketID == nil ? .new : .changed(previous: .resolved))
                _ = try await raise(pending.signal, alert: alert, ci: ci, by: principal, mayWait: false, in: work)
            case .resolved:
                guard let ticketID = state.ticketID,
                    let principal = try await DirectoryRepository(connection: work.connection, logger: logger).principal(personID: state.accountID)
                else { return }
                try await recover(ticketID, at: state.lastChange ?? now, by: principal, in: work)
            }
        }
    }

    /// An internal note on a monitoring incident that is not closed, written by Guichet.
    private func note(_ text: String, onTicket ticketID: Int64, in work: UnitOfWork) async throws {
        guard let record = try await TicketRepository(connection: work.connection, logger: logger).find(.id(ticketID), scope: .all, lock: true),
            record.status != .closed,
            let principal = try await DirectoryRepository(connection: work.connection, logger: logger).principal(personID: record.requester.id)
        else { return }
        _ = try await tickets.addComment(text, visibility: .internal, origin: .monitoring, to: record, by: principal, in: work)
    }
}
