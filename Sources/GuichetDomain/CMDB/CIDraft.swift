import Foundation

/// A configuration item as a person or an inventory describes it, before it is stored: places
/// and owners by code, relations by the other CI's name or external id. `problems` says what is
/// wrong with it, field by field, so that an API call and an import line are refused alike.
public struct CIDraft: Sendable, Equatable {
    public var ciClass: CIClass
    public var name: String
    public var status: CIStatus
    /// The establishment's UAI code.
    public var establishment: String?
    public var room: String?
    /// The owning organisation's code (the Région, a Département).
    public var owner: String?
    public var attributes: CIAttributes
    public var externalID: String?
    /// What it depends on, by relation (two uplinks to two core switches, a VM's hypervisor, the
    /// CIs a business service runs on), each by id, external id or name. A kind left out keeps
    /// its relations as they are; an empty list removes them.
    public var dependencies: [CIRelationKind: [String]]
    public var minimumUp: Int?

    public init(
        ciClass: CIClass, name: String, status: CIStatus = .production, establishment: String? = nil, room: String? = nil, owner: String? = nil,
        attributes: CIAttributes = CIAttributes(), externalID: String? = nil, dependencies: [CIRelationKind: [String]] = [:],
        minimumUp: Int? = nil
    ) {
        self.ciClass = ciClass
        self.name = name
        self.status = status
        self.establishment = establishment
        self.room = room
        self.owner = owner
        self.attributes = attributes
        self.externalID = externalID
        self.dependencies = dependencies
        self.minimumUp = minimumUp
    }

    /// The CIs a field names, separated by `;` (`CORE-1; CORE-2`); an empty field names none.
    public static func references(_ text: String) -> [String] {
        // most rows name one CI, with nothing to trim around it
        let blank = { (scalar: Unicode.Scalar?) in scalar.map(CharacterSet.whitespaces.contains) ?? true }
        if !text.utf8.contains(UInt8(ascii: ";")), !blank(text.unicodeScalars.first), !blank(text.unicodeScalars.last) { return [text] }
        return text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// What is wrong, as (field, reason); empty when the draft can be stored.
    public var problems: [(field: String, reason: String)] {
        var found: [(String, String)] = []
        func limit(_ field: String, _ value: String?, _ max: Int) {
            // a text of at most `max` bytes has at most `max` characters: only longer ones are counted
            if let value, value.utf8.count > max, value.count > max { found.append((field, "is longer than \(max) characters")) }
        }
        if name.allSatisfy(\.isWhitespace) { found.append(("name", "is empty")) }
        limit("name", name, 200)
        limit("room", room, 100)
        limit("external_id", externalID, 200)
        for (field, value) in [
            ("serial", attributes.serial), ("asset_tag", attributes.assetTag), ("brand", attributes.brand), ("model", attributes.model),
            ("os", attributes.os),
        ] {
            limit(field, value, 100)
        }
        limit("supplier", attributes.supplier, 200)
        if let ip = attributes.ip, !Self.isIPAddress(ip) { found.append(("ip", "'\(ip)' is not an IPv4 or IPv6 address")) }
        if let mac = attributes.mac, !Self.isMACAddress(mac) { found.append(("mac", "'\(mac)' is not a MAC address (six hexadecimal pairs)")) }
        if let date = attributes.warrantyEnd, LocalDate(date) == nil { found.append(("warranty_end", "'\(date)' is not a date (YYYY-MM-DD)")) }
        if let minimumUp, !(1...1000).contains(minimumUp) { found.append(("minimum_up", "is a whole number from 1 to 1,000")) }
        for (kind, references) in dependencies where references.count > 500 { found.append((kind.rawValue, "names more than 500 CIs")) }
        if attributes.free.count > 50 { found.append(("attributes", "has more than 50 free attributes")) }
        for (key, value) in attributes.free where key.utf8.count > 64 && key.count > 64 || value.utf8.count > 1000 && value.count > 1000 {
            found.append(("attributes", "'\(key.prefix(64))' is too long (64 characters for a name, 1,000 for a value)"))
        }
        return found
    }

    static func isIPAddress(_ text: String) -> Bool {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if parts.count == 4 {
            return parts.allSatisfy { part in
                (1...3).contains(part.count) && part.allSatisfy { (0x30...0x39).contains($0) } && part.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= 255
            }
        }
        // IPv6: hexadecimal groups separated by colons, at most one "::"
        guard text.contains(":"), text.count <= 45, text.components(separatedBy: "::").count <= 2 else { return false }
        let groups = text.split(separator: ":", omittingEmptySubsequences: true)
        return groups.count <= 8 && groups.allSatisfy { $0.count <= 4 && $0.allSatisfy(\.isHexDigit) && $0.allSatisfy(\.isASCII) }
    }

    static func isMACAddress(_ text: String) -> Bool {
        let pairs = text.utf8.split(whereSeparator: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-") })
        let hex: (UInt8) -> Bool = { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
        return pairs.count == 6 && pairs.allSatisfy { $0.count == 2 && $0.allSatisfy(hex) }
    }
}
