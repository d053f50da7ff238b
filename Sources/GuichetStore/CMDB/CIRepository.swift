import Foundation
import GuichetDomain
import Logging
import PostgresNIO

/// A configuration item's values as they are stored: places and owners by id.
public struct CIValues: Sendable, Equatable {
    public var ciClass: CIClass
    public var name: String
    public var status: CIStatus
    public var establishmentID: Int64?
    public var room: String?
    public var ownerID: Int64?
    public var attributes: CIAttributes
    public var source: String?
    public var externalID: String?
    public var minimumUp: Int?

    public init(
        ciClass: CIClass, name: String, status: CIStatus, establishmentID: Int64?, room: String?, ownerID: Int64?, attributes: CIAttributes,
        source: String? = nil, externalID: String? = nil, minimumUp: Int? = nil
    ) {
        self.ciClass = ciClass
        self.name = name
        self.status = status
        self.establishmentID = establishmentID
        self.room = room
        self.ownerID = ownerID
        self.attributes = attributes
        self.source = source
        self.externalID = externalID
        self.minimumUp = minimumUp
    }
}

/// The fleet's configuration items.
public struct CIRepository: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// One CI the scope lets the caller see; `lock` holds it until the transaction ends.
    public func find(id: Int64, scope: CIScope, lock: Bool = false) async throws -> CIRecord? {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: CIRecord.columns) FROM cis c \(unescaped: CIRecord.joins)
            WHERE c.id = \(id) AND \(ciVisibleTo: scope)
            \(unescaped: lock ? "FOR UPDATE OF c" : "")
            """,
            logger: logger
        )
        for try await row in rows { return try CIRecord(row: row) }
        return nil
    }

    /// CIs in name order, after the CI named `after` (the previous page's last), at most `limit`,
    /// found as `CIPageStrategy` says, then read whole.
    public func list(_ filter: CIFilter, scope: CIScope, after: (name: String, id: Int64)?, limit: Int) async throws -> [CIRecord] {
        let search = try await search(filter)
        let strategy = try await pageStrategy(search, scope: scope, after: after)
        let rows = try await connection.query(
            """
            SELECT \(unescaped: CIRecord.columns)
            FROM \(ciPage: search, scope: scope, after: after, limit: limit, strategy: strategy) hit JOIN cis c ON c.id = hit.id \(unescaped: CIRecord.joins)
            ORDER BY c.name, c.id
            """,
            logger: logger
        )
        var records: [CIRecord] = []
        for try await row in rows { records.append(try CIRecord(row: row)) }
        return records
    }

    public func insert(_ values: CIValues) async throws -> Int64 {
        let a = values.attributes
        let rows = try await connection.query(
            """
            INSERT INTO cis (class, name, status, establishment_id, room, owner_id, serial, asset_tag, brand, model, os, ip, mac, supplier,
                warranty_end, antivirus_protected, antivirus_signatures_at, antivirus_contact_at, attributes, source, external_id, minimum_up,
                last_seen_at)
            VALUES (\(values.ciClass.rawValue), \(values.name), \(values.status.rawValue), \(values.establishmentID), \(values.room),
                \(values.ownerID), \(a.serial), \(a.assetTag), \(a.brand), \(a.model), \(a.os), \(a.ip)::inet, \(a.mac)::macaddr, \(a.supplier),
                \(a.warrantyEnd)::date, \(a.antivirus?.protected), \(a.antivirus?.signaturesAt), \(a.antivirus?.contactAt),
                \(try Self.json(a.free))::jsonb, \(values.source), \(values.externalID), \(values.minimumUp.map(Int32.init)),
                CASE WHEN \(values.source)::text IS NULL THEN NULL ELSE now() END)
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.noRowReturned
    }

    /// Writes a CI's new values if it is still at `expectedVersion`; returns the new version, or
    /// `nil` when someone changed it meanwhile.
    public func update(id: Int64, _ values: CIValues, expectedVersion: Int) async throws -> Int? {
        let a = values.attributes
        let rows = try await connection.query(
            """
            UPDATE cis SET class = \(values.ciClass.rawValue), name = \(values.name), status = \(values.status.rawValue),
                establishment_id = \(values.establishmentID), room = \(values.room), owner_id = \(values.ownerID), serial = \(a.serial),
                asset_tag = \(a.assetTag), brand = \(a.brand), model = \(a.model), os = \(a.os), ip = \(a.ip)::inet, mac = \(a.mac)::macaddr,
                supplier = \(a.supplier), warranty_end = \(a.warrantyEnd)::date, antivirus_protected = \(a.antivirus?.protected),
                antivirus_signatures_at = \(a.antivirus?.signaturesAt), antivirus_contact_at = \(a.antivirus?.contactAt),
                attributes = \(try Self.json(a.free))::jsonb, minimum_up = \(values.minimumUp.map(Int32.init)),
                version = version + 1, updated_at = now()
            WHERE id = \(id) AND version = \(Int32(expectedVersion))
            RETURNING version
            """,
            logger: logger
        )
        for try await version in rows.decode(Int32.self) { return Int(version) }
        return nil
    }

    static func json(_ free: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(free), as: UTF8.self)
    }
}

extension CIRepository {
    /// The organisations of `codes` (UAI codes of establishments, codes of owners), by code.
    public func organizations(codes: [String]) async throws -> [String: (id: Int64, isEstablishment: Bool)] {
        let rows = try await connection.query("SELECT code, id, kind FROM organizations WHERE code = ANY(\(codes))", logger: logger)
        var found: [String: (id: Int64, isEstablishment: Bool)] = [:]
        for try await (code, id, kind) in rows.decode((String, Int64, String).self) { found[code] = (id, kind == "establishment") }
        return found
    }

    /// The CI a person or an inventory names: by id (digits), by external id in `source`, by name
    /// in the establishment, else by a name only one CI has.
    public func resolve(_ reference: String, source: String?, establishmentID: Int64?) async throws -> Int64? {
        let id = Int64(reference)
        let rows = try await connection.query(
            """
            SELECT id FROM (
                SELECT id, 1 AS rank FROM cis WHERE id = \(id)
                UNION ALL SELECT id, 2 FROM cis WHERE source = \(source) AND external_id = \(reference)
                UNION ALL SELECT id, 3 FROM cis WHERE name = \(reference) AND establishment_id = \(establishmentID)
                UNION ALL SELECT min(id), 4 FROM cis WHERE name = \(reference) HAVING count(*) = 1
            ) found ORDER BY rank LIMIT 1
            """,
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }
}

extension CIRepository {
    /// Every establishment's code and name, by code.
    public func establishments() async throws -> [(code: String, name: String)] {
        let rows = try await connection.query("SELECT code, name FROM organizations WHERE kind = 'establishment' ORDER BY code", logger: logger)
        var found: [(code: String, name: String)] = []
        for try await (code, name) in rows.decode((String, String).self) { found.append((code, name)) }
        return found
    }

    /// How many CIs came from `source`.
    public func count(source: String) async throws -> Int {
        let rows = try await connection.query("SELECT count(*) FROM cis WHERE source = \(source)", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}
