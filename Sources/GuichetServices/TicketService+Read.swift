import Foundation
import GuichetDomain
import GuichetStore

extension TicketService {
    /// One ticket, if the caller may see it.
    public func ticket(_ key: String, for principal: Principal) async throws -> TicketView {
        try await database.transaction { connection in
            let record = try await TicketRepository(connection: connection, logger: logger).visible(key, to: principal)
            var view = TicketView(record, for: principal)
            view.cis = try await Self.linkedCIs(of: record.id, for: principal, connection: connection, logger: logger)
            return view
        }
    }

    /// A page of the tickets the caller may see, newest first; `establishment` is an id or a UAI.
    public func list(
        _ filter: TicketFilter, establishment: String? = nil, cursor: String?, limit: Int, for principal: Principal
    ) async throws -> TicketPage {
        guard (1...200).contains(limit) else { throw ServiceError.invalid("limit", "The limit is between 1 and 200.") }
        var afterID: Int64?
        if let cursor {
            guard let id = TicketCursor.decode(cursor) else {
                throw ServiceError.invalid("cursor", "The cursor is not one this server gave out.")
            }
            afterID = id
        }
        let records = try await database.transaction { connection in
            var filter = filter
            if let establishment {
                guard let organization = try await DirectoryRepository(connection: connection, logger: logger).organization(idOrCode: establishment),
                    organization.kind == .establishment
                else { throw ServiceError.invalid("establishment", "No establishment has the id or UAI '\(establishment)'.") }
                filter.establishmentID = organization.id
            }
            return try await TicketRepository(connection: connection, logger: logger)
                .list(filter, scope: AccessPolicy.ticketScope(of: principal), afterID: afterID, limit: limit + 1)
        }
        let page = records.prefix(limit)
        let next = records.count > limit ? page.last.map { TicketCursor.encode($0.id) } : nil
        return TicketPage(items: page.map { TicketView($0, for: principal) }, nextCursor: next)
    }

    /// The history of a ticket; internal entries for staff only.
    public func history(of key: String, for principal: Principal) async throws -> [EventView] {
        try await database.transaction { connection in
            let record = try await TicketRepository(connection: connection, logger: logger).visible(key, to: principal)
            return try await EventRepository(connection: connection, logger: logger)
                .history(ticketID: record.id, includeInternal: AccessPolicy.mayUseInternalNotes(principal))
                .map(EventView.init)
        }
    }
}

/// Opaque list cursors: the last id of a page, so that clients do not build them by hand.
enum TicketCursor {
    static func encode(_ id: Int64) -> String {
        Data("t:\(id)".utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) -> Int64? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("t:") else {
            return nil
        }
        return Int64(text.dropFirst(2)).flatMap { $0 > 0 ? $0 : nil }
    }
}
