import Foundation
import GuichetDomain
import PostgresNIO

/// A configuration item as stored, with the names of its establishment and owner.
public struct CIRecord: Sendable, Equatable {
    public var id: Int64
    public var ciClass: CIClass
    public var name: String
    public var status: CIStatus
    public var establishment: TicketRecord.Named?
    public var room: String?
    public var owner: TicketRecord.Named?
    public var attributes: CIAttributes
    public var source: String?
    public var externalID: String?
    public var lastSeenAt: Date?
    public var minimumUp: Int?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    /// The columns `init(row:)` reads, for `FROM cis c` with the joins of `joins`.
    static let columns = """
        c.id, c.class, c.name, c.status, c.establishment_id, eo.code AS establishment_code, eo.name AS establishment_name, c.room,
        c.owner_id, oo.code AS owner_code, oo.name AS owner_name, c.serial, c.asset_tag, c.brand, c.model, c.os, host(c.ip) AS ip,
        c.mac::text AS mac, c.supplier, c.warranty_end::text AS warranty_end, c.antivirus_signatures_at, c.antivirus_contact_at,
        c.antivirus_protected, c.attributes::text AS attributes, c.source, c.external_id,
        greatest(c.last_seen_at, CASE WHEN c.status <> 'retired' THEN cs.last_full_at END) AS last_seen_at, c.minimum_up, c.version,
        c.created_at, c.updated_at
        """

    static let joins = """
        LEFT JOIN organizations eo ON eo.id = c.establishment_id
        LEFT JOIN organizations oo ON oo.id = c.owner_id
        LEFT JOIN ci_sources cs ON cs.source = c.source
        """

    init(row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        func named(_ id: String, _ code: String, _ name: String) throws -> TicketRecord.Named? {
            guard let id = try r[id].decode(Int64?.self), let name = try r[name].decode(String?.self) else { return nil }
            return TicketRecord.Named(id: id, code: try r[code].decode(String?.self), name: name)
        }
        id = try r["id"].decode(Int64.self)
        ciClass = CIClass(rawValue: try r["class"].decode(String.self)) ?? .desktop
        name = try r["name"].decode(String.self)
        status = CIStatus(rawValue: try r["status"].decode(String.self)) ?? .production
        establishment = try named("establishment_id", "establishment_code", "establishment_name")
        room = try r["room"].decode(String?.self)
        owner = try named("owner_id", "owner_code", "owner_name")
        let free = try r["attributes"].decode(String.self)
        attributes = CIAttributes(
            serial: try r["serial"].decode(String?.self), assetTag: try r["asset_tag"].decode(String?.self),
            brand: try r["brand"].decode(String?.self), model: try r["model"].decode(String?.self), os: try r["os"].decode(String?.self),
            ip: try r["ip"].decode(String?.self), mac: try r["mac"].decode(String?.self), supplier: try r["supplier"].decode(String?.self),
            warrantyEnd: try r["warranty_end"].decode(String?.self),
            antivirus: try r["antivirus_protected"].decode(Bool?.self).map {
                CIAttributes.Antivirus(
                    protected: $0, signaturesAt: try r["antivirus_signatures_at"].decode(Date?.self),
                    contactAt: try r["antivirus_contact_at"].decode(Date?.self)
                )
            },
            free: (try? JSONDecoder().decode([String: String].self, from: Data(free.utf8))) ?? [:]
        )
        source = try r["source"].decode(String?.self)
        externalID = try r["external_id"].decode(String?.self)
        lastSeenAt = try r["last_seen_at"].decode(Date?.self)
        minimumUp = try r["minimum_up"].decode(Int32?.self).map(Int.init)
        version = Int(try r["version"].decode(Int32.self))
        createdAt = try r["created_at"].decode(Date.self)
        updatedAt = try r["updated_at"].decode(Date.self)
    }
}
