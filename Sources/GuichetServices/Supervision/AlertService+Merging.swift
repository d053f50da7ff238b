import Foundation
import GuichetDomain
import GuichetStore

extension AlertService {
    /// The most alerts split off at once.
    public static let maxSplit = 500

    /// Merges the incident `key` into the open incident `targetKey` (the service centre's staff):
    /// its alerts and equipment join the target, which is told in an internal note, and it is
    /// resolved as a duplicate of the target. Returns the target.
    public func merge(_ key: String, into targetKey: String, by principal: Principal) async throws -> TicketView {
        guard principal.isStaff else { throw ServiceError.forbidden("The service centre's staff merge incidents.") }
        return try await transactions.run { work in
            let repository = TicketRepository(connection: work.connection, logger: logger)
            let (source, target) = try await Self.lockBoth(key, targetKey, for: principal, in: repository)
            guard source.id != target.id else { throw ServiceError.invalid("into", "An incident is not merged into itself.") }
            guard ![.resolved, .closed].contains(target.status) else {
                throw ServiceError.invalid("into", "\(target.ref) is \(target.status.rawValue): merge into an incident still open.")
            }
            guard TicketLifecycle.resolvableSources(code: Resolution.duplicateCode).contains(source.status) else {
                throw ServiceError.conflict("\(source.ref) is \(source.status.rawValue): only an incident that can be resolved is merged.")
            }
            let moved = try await AlertRepository(connection: work.connection, logger: logger).move(fromTicket: source.id, toTicket: target.id, alertIDs: nil)
            let equipment = try await CIRepository(connection: work.connection, logger: logger).linked(toTicket: source.id)
            if !equipment.isEmpty { try await tickets.link(equipment, toTicket: target.id, by: principal, in: work) }
            _ = try await tickets.addComment(
                MonitoringIncident.mergedText(source.ref, alerts: moved.count), visibility: .internal, origin: .api, to: target, by: principal, in: work
            )
            let resolution = Resolution(code: Resolution.duplicateCode, solution: MonitoringIncident.mergedIntoText(target.ref), mode: .remote)
            _ = try await tickets.pipeline.change(source, by: .person(principal), [.resolve(resolution)], in: work)
            return try await Self.view(target.id, for: principal, in: work)
        }
    }

    /// Splits alerts off the incident `key` into a new monitoring incident (the service centre's
    /// staff): opened for the first of them as monitoring would have, with their equipment; both
    /// incidents get an internal note. At least one alert stays. Returns the new incident.
    public func split(_ key: String, alerts alertIDs: [Int64], by principal: Principal) async throws -> TicketView {
        guard principal.isStaff else { throw ServiceError.forbidden("The service centre's staff split incidents.") }
        let chosen = Array(Set(alertIDs)).sorted()
        guard !chosen.isEmpty, chosen.count <= Self.maxSplit else {
            throw ServiceError.invalid("alerts", "Name from 1 to \(Self.maxSplit) alerts of the incident to split off.")
        }
        return try await transactions.run { work in
            let repository = TicketRepository(connection: work.connection, logger: logger)
            let source = try await repository.visible(key, to: principal, lock: true)
            guard source.status != .closed else { throw ServiceError.conflict("\(source.ref) is closed.") }
            let alerts = AlertRepository(connection: work.connection, logger: logger)
            let held = try await alerts.alerts(ofTicket: source.id)
            let unknown = Set(chosen).subtracting(held.map(\.id))
            guard unknown.isEmpty else {
                throw ServiceError.invalid("alerts", "These alerts are not this incident's: \(unknown.sorted().map(String.init).joined(separator: ", ")).")
            }
            guard chosen.count < held.count else { throw ServiceError.invalid("alerts", "At least one alert stays with the incident.") }
            guard let first = held.first(where: { chosen.contains($0.id) }),
                let monitoring = try await DirectoryRepository(connection: work.connection, logger: logger).principal(personID: source.requester.id)
            else { throw ServiceError.notFound("alert") }
            let signal = AlertSignal(
                source: first.source, key: first.key, status: .firing, severity: first.severity, labels: first.labels, summary: first.summary,
                details: first.details, startsAt: first.startsAt
            )
            var ci: AlertCI?
            if let ciID = first.ciID { ci = try await alerts.ci(id: ciID) }
            let request = MonitoringIncident(signal: signal, ci: ci).request
            let opened = try await tickets.insertTicket(request, checked: try request.validated(), by: monitoring, in: work)
            let moved = try await alerts.move(fromTicket: source.id, toTicket: opened.id, alertIDs: chosen)
            let equipment = Set(moved.compactMap(\.ci)).subtracting(ci.map { [$0.id] } ?? [])
            if !equipment.isEmpty { try await tickets.link(equipment.sorted(), toTicket: opened.id, by: principal, in: work) }
            _ = try await tickets.addComment(
                MonitoringIncident.splitText(opened.ref, alerts: moved.count), visibility: .internal, origin: .api, to: source, by: principal, in: work
            )
            _ = try await tickets.addComment(
                MonitoringIncident.splitFromText(source.ref), visibility: .internal, origin: .api, to: opened, by: principal, in: work
            )
            return try await Self.view(opened.id, for: principal, in: work)
        }
    }

    /// An incident as it now is, with its equipment.
    private static func view(_ ticketID: Int64, for principal: Principal, in work: UnitOfWork) async throws -> TicketView {
        guard let record = try await TicketRepository(connection: work.connection, logger: work.logger).find(.id(ticketID), scope: .all) else {
            throw ServiceError.notFound("ticket")
        }
        var view = TicketView(record, for: principal)
        view.cis = try await TicketService.linkedCIs(of: ticketID, for: principal, connection: work.connection, logger: work.logger)
        return view
    }

    /// The two incidents of a merge, each locked, the lower id first (two merges the other way
    /// round wait for each other instead of deadlocking).
    private static func lockBoth(
        _ key: String, _ otherKey: String, for principal: Principal, in repository: TicketRepository
    ) async throws -> (TicketRecord, TicketRecord) {
        let first = try await repository.visible(key, to: principal)
        let second: TicketRecord
        do {
            second = try await repository.visible(otherKey, to: principal)
        } catch ServiceError.notFound {
            throw ServiceError.invalid("into", "No incident \(otherKey) is within your perimeter.")
        }
        let ordered = first.id <= second.id ? [first, second] : [second, first]
        var locked: [Int64: TicketRecord] = [:]
        for record in ordered { locked[record.id] = try await repository.visible(String(record.id), to: principal, lock: true) }
        guard let source = locked[first.id], let target = locked[second.id] else { throw ServiceError.notFound("ticket") }
        return (source, target)
    }
}
