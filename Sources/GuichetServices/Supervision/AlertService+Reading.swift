import Foundation
import GuichetDomain
import GuichetStore

/// What the service centre's staff read of the alerts.
extension AlertService {
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
