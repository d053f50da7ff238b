import Foundation
import GuichetDomain
import GuichetStore

/// A configuration item as the API shows it.
public struct CIView: Sendable, Equatable, Codable {
    public var id: Int64
    public var `class`: CIClass
    public var family: CIClass.Family
    public var name: String
    public var status: CIStatus
    public var establishment: NamedView?
    public var room: String?
    public var owner: NamedView?
    public var serial: String?
    public var assetTag: String?
    public var brand: String?
    public var model: String?
    public var os: String?
    public var ip: String?
    public var mac: String?
    public var supplier: String?
    public var warrantyEnd: String?
    public var antivirus: CIAttributes.Antivirus?
    public var attributes: [String: String]
    public var source: String?
    public var externalId: String?
    public var lastSeenAt: Date?
    public var minimumUp: Int?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// What it depends on and what depends on it, within the caller's perimeter (GET of one CI).
    public var relations: [CIRelationView]?
    /// How many of its relations lead to CIs outside the caller's perimeter.
    public var hiddenRelations: Int?

    init(_ record: CIRecord) {
        id = record.id
        `class` = record.ciClass
        family = record.ciClass.family
        name = record.name
        status = record.status
        establishment = record.establishment.map(NamedView.init)
        room = record.room
        owner = record.owner.map(NamedView.init)
        let a = record.attributes
        serial = a.serial
        assetTag = a.assetTag
        brand = a.brand
        model = a.model
        os = a.os
        ip = a.ip
        mac = a.mac
        supplier = a.supplier
        warrantyEnd = a.warrantyEnd
        antivirus = a.antivirus
        attributes = a.free
        source = record.source
        externalId = record.externalID
        lastSeenAt = record.lastSeenAt
        minimumUp = record.minimumUp
        version = record.version
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }
}

/// A relation of a CI, seen from it: `depends_on` the other CI, or the other CI depends on it
/// (`dependent`).
public struct CIRelationView: Sendable, Equatable, Codable {
    public enum Side: String, Sendable, Codable {
        case dependsOn = "depends_on"
        case dependent
    }

    public var side: Side
    public var kind: CIRelationKind
    public var port: String?
    public var ci: CISummaryView
}

/// A CI as a relation, an impact list or a ticket names it.
public struct CISummaryView: Sendable, Equatable, Codable {
    public var id: Int64
    public var `class`: CIClass
    public var name: String
    public var status: CIStatus
    public var establishment: NamedView?

    init(_ summary: CISummary) {
        id = summary.id
        `class` = summary.ciClass
        name = summary.name
        status = summary.status
        establishment = summary.establishment.map(NamedView.init)
    }
}

/// A page of CIs; `next_cursor` continues it.
public struct CIPage: Sendable, Equatable, Codable {
    public var items: [CIView]
    public var nextCursor: String?
}

/// What an impact analysis found, within the caller's perimeter.
public struct ImpactView: Sendable, Equatable, Codable {
    public struct Reached: Sendable, Equatable, Codable {
        public var ci: CISummaryView
        public var depth: Int
        /// The relation of the last step.
        public var kind: CIRelationKind
        /// The ids of the CIs from the analysed one to this one, both included, that the caller may
        /// see: each is the analysed CI or another item of the analysis (ids keep a large analysis
        /// small: a path names each CI once, not a summary per step).
        public var path: [Int64]
        /// How many CIs of the path are outside the caller's perimeter (left out of `path`).
        public var hiddenInPath: Int
    }

    public var ci: CISummaryView
    public var direction: ImpactDirection
    public var depth: Int
    public var items: [Reached]
    /// Reached CIs outside the caller's perimeter: counted, never named.
    public var hidden: Int
    /// Impacted CIs by class, and the establishments and business services reached.
    public var byClass: [String: Int]
    public var establishments: [NamedView]
    public var businessServices: [CISummaryView]
}

/// A ticket as a CI's list of tickets shows it.
public struct CITicketView: Sendable, Equatable, Codable {
    public var id: Int64
    public var ref: String
    public var title: String
    public var status: TicketStatus
    public var createdAt: Date

    init(_ ticket: CITicket) {
        id = ticket.id
        ref = ticket.ref
        title = ticket.title
        status = ticket.status
        createdAt = ticket.createdAt
    }
}
