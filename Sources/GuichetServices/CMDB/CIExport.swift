import GuichetDomain
import GuichetStore
import Logging

/// The CIs of a list's filter within the caller's perimeter, as an inventory file: the import's
/// columns, so that an exported file, edited, imports again. Read page by page in the list's order,
/// each page from its own query, so that a long export holds no connection while it is sent.
public struct CIExport: Sendable {
    /// The import's columns, then the free attributes the exported CIs have.
    public let columns: [String]
    let filter: CIFilter
    let scope: CIScope
    let database: Database
    let logger: Logger

    /// One CI's cells by column.
    public struct Row: Sendable {
        public let fields: [String: String]
        let key: (name: String, id: Int64)
    }

    /// The rows after `last` (the previous page's last), at most `limit`; none at the end.
    public func page(after last: Row?, limit: Int = 1_000) async throws -> [Row] {
        let records = try await database.client.withConnection { connection in
            try await CIRepository(connection: connection, logger: logger).exportPage(filter, scope: scope, after: last?.key, limit: limit)
        }
        return records.map(Self.row)
    }

    static func row(_ exported: CIExportRecord) -> Row {
        let record = exported.record
        var fields = InventoryRow.fields(of: record.attributes)
        fields["class"] = record.ciClass.rawValue
        fields["name"] = record.name
        fields["status"] = record.status.rawValue
        fields["external_id"] = record.externalID
        fields["establishment"] = record.establishment?.code
        fields["room"] = record.room
        fields["owner"] = record.owner?.code
        fields["minimum_up"] = record.minimumUp.map(String.init)
        for (kind, names) in exported.dependencies { fields[kind.rawValue] = names.joined(separator: "; ") }
        return Row(fields: fields, key: (record.name, record.id))
    }
}

extension CMDBService {
    /// An export of the CIs `filter` keeps that the caller may see.
    public func export(_ filter: CIFilter, for principal: Principal) async throws -> CIExport {
        let scope = CIScope(of: principal)
        let free = try await database.client.withConnection { connection in
            try await CIRepository(connection: connection, logger: logger).freeAttributeNames(filter, scope: scope)
        }
        return CIExport(columns: InventoryRow.columns + free, filter: filter, scope: scope, database: database, logger: logger)
    }
}
