import Foundation
import GuichetDomain

/// A CI's fields as a client sends them, to create one (`class` and `name` required) or to change
/// one (only the fields sent change; an empty text clears a field).
public struct CIChange: Sendable, Equatable, Codable {
    public var `class`: CIClass?
    public var name: String?
    public var status: CIStatus?
    /// The establishment's UAI code.
    public var establishment: String?
    public var room: String?
    /// The owning organisation's code.
    public var owner: String?
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
    public var attributes: [String: String]?
    /// The CIs it is wired to (ids, external ids or names, separated by `;`); an empty text
    /// removes its connections.
    public var connectedTo: String?
    /// Where it runs (a VM's hypervisor or farm), the same way.
    public var hostedOn: String?
    /// What a business service or an application is made of, the same way.
    public var runsOn: String?
    /// What powers it (a UPS), the same way.
    public var poweredBy: String?
    public var minimumUp: Int?

    public init() {}

    /// The draft this change makes of `current` (or of nothing, for a creation).
    func applied(to current: CIDraft?) throws -> CIDraft {
        guard let ciClass = self.class ?? current?.ciClass else { throw ServiceError.invalid("class", "A CI needs a class.") }
        guard let name = name ?? current?.name else { throw ServiceError.invalid("name", "A CI needs a name.") }
        func text(_ new: String?, _ old: String?) -> String? {
            guard let new else { return old }
            let trimmed = new.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
        var dependencies: [CIRelationKind: [String]] = [:]
        for (kind, text) in [(CIRelationKind.connectedTo, connectedTo), (.hostedOn, hostedOn), (.runsOn, runsOn), (.poweredBy, poweredBy)] {
            if let text { dependencies[kind] = CIDraft.references(text) }
        }
        let old = current?.attributes ?? CIAttributes()
        let attributes = CIAttributes(
            serial: text(serial, old.serial), assetTag: text(assetTag, old.assetTag), brand: text(brand, old.brand), model: text(model, old.model),
            os: text(os, old.os), ip: text(ip, old.ip), mac: text(mac, old.mac), supplier: text(supplier, old.supplier),
            warrantyEnd: text(warrantyEnd, old.warrantyEnd), antivirus: antivirus ?? old.antivirus, free: self.attributes ?? old.free
        )
        return CIDraft(
            ciClass: ciClass, name: name.trimmingCharacters(in: .whitespaces), status: status ?? current?.status ?? .production,
            establishment: text(establishment, current?.establishment), room: text(room, current?.room), owner: text(owner, current?.owner),
            attributes: attributes, externalID: current?.externalID, dependencies: dependencies,
            minimumUp: minimumUp ?? current?.minimumUp
        )
    }
}
