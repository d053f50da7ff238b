import Foundation

/// One row of an inventory as a CI: its columns are the API's attribute names (`external_id`,
/// `class`, `name`, `status`, `establishment`, `room`, `owner`, `serial`, `asset_tag`, `brand`,
/// `model`, `os`, `ip`, `mac`, `supplier`, `warranty_end`, `minimum_up`, the antivirus' `av_*`,
/// and the relations `connected_to`, `hosted_on`, `runs_on`, `powered_by`); other columns are the
/// class's free attributes.
public enum InventoryRow {
    /// The columns an inventory's row may have besides free attributes, in the order an export
    /// writes them.
    public static let columns = [
        "external_id", "class", "name", "status", "establishment", "room", "owner", "serial", "asset_tag", "brand", "model", "os", "ip", "mac",
        "supplier", "warranty_end", "minimum_up", "av_protected", "av_signatures_at", "av_contact_at", "connected_to", "hosted_on", "runs_on",
        "powered_by",
    ]
    static let known = Set(columns)

    /// The attribute columns of a row that `draft` reads back as `attributes` (the free ones
    /// included), empty ones left out.
    public static func fields(of attributes: CIAttributes) -> [String: String] {
        var fields = attributes.free.filter { !known.contains($0.key) }
        let named: [(String, String?)] = [
            ("serial", attributes.serial), ("asset_tag", attributes.assetTag), ("brand", attributes.brand), ("model", attributes.model),
            ("os", attributes.os), ("ip", attributes.ip), ("mac", attributes.mac), ("supplier", attributes.supplier),
            ("warranty_end", attributes.warrantyEnd),
        ]
        for (column, value) in named { if let value { fields[column] = value } }
        if let antivirus = attributes.antivirus {
            fields["av_protected"] = antivirus.protected ? "true" : "false"
            if let date = antivirus.signaturesAt { fields["av_signatures_at"] = date.formatted(.iso8601) }
            if let date = antivirus.contactAt { fields["av_contact_at"] = date.formatted(.iso8601) }
        }
        return fields
    }

    /// The CI the row describes, or why it cannot be one.
    public static func draft(_ values: [String: String]) -> Result<CIDraft, RowRefusal> {
        guard let className = values["class"] else { return .failure(RowRefusal("class", "is missing")) }
        guard let ciClass = CIClass(rawValue: className.lowercased()) else {
            return .failure(RowRefusal("class", "'\(className.prefix(40))' is not a class (desktop, laptop, server, access_switch, ...)"))
        }
        guard let name = values["name"] else { return .failure(RowRefusal("name", "is missing")) }
        var status = CIStatus.production
        if let text = values["status"] {
            guard let value = CIStatus(rawValue: text.lowercased()) else {
                return .failure(RowRefusal("status", "'\(text.prefix(40))' is not production, stock, repair or retired"))
            }
            status = value
        }
        var minimumUp: Int?
        if let text = values["minimum_up"] {
            guard let value = Int(text) else { return .failure(RowRefusal("minimum_up", "'\(text.prefix(20))' is not a whole number")) }
            minimumUp = value
        }
        var antivirus: CIAttributes.Antivirus?
        if let text = values["av_protected"] {
            guard let protected = Self.truth[text.lowercased()]
            else { return .failure(RowRefusal("av_protected", "'\(text.prefix(20))' is not true or false")) }
            var dates: [Date?] = []
            for field in ["av_signatures_at", "av_contact_at"] {
                guard let text = values[field] else {
                    dates.append(nil)
                    continue
                }
                guard let date = Self.instant(text) else { return .failure(RowRefusal(field, "'\(text.prefix(40))' is not a date (2026-11-30 or 2026-11-30T08:00:00Z)")) }
                dates.append(date)
            }
            antivirus = CIAttributes.Antivirus(protected: protected, signaturesAt: dates[0], contactAt: dates[1])
        }
        var free: [String: String] = [:]
        for (key, value) in values where !known.contains(key) { free[key] = value }
        var dependencies: [CIRelationKind: [String]] = [:]
        for kind in CIRelationKind.allCases {
            if let text = values[kind.rawValue] { dependencies[kind] = CIDraft.references(text) }
        }
        let draft = CIDraft(
            ciClass: ciClass, name: name, status: status, establishment: values["establishment"], room: values["room"], owner: values["owner"],
            attributes: CIAttributes(
                serial: values["serial"], assetTag: values["asset_tag"], brand: values["brand"], model: values["model"], os: values["os"],
                ip: values["ip"], mac: values["mac"], supplier: values["supplier"], warrantyEnd: values["warranty_end"], antivirus: antivirus,
                free: free
            ),
            externalID: values["external_id"], dependencies: dependencies, minimumUp: minimumUp
        )
        if let problem = draft.problems.first { return .failure(RowRefusal(problem.field, problem.reason)) }
        return .success(draft)
    }

    /// The words a yes-or-no column may hold.
    static let truth = ["true": true, "yes": true, "1": true, "oui": true, "false": false, "no": false, "0": false, "non": false]

    /// `2026-11-30` (midnight UTC) or an ISO 8601 instant.
    static func instant(_ text: String) -> Date? {
        if text.utf8.count == 10, let day = LocalDate(text) {
            return Date(timeIntervalSince1970: TimeInterval(day.dayNumber) * 86_400)
        }
        return try? Date(text, strategy: .iso8601)
    }
}

/// Why a row was not applied: the field and what is wrong with it.
public struct RowRefusal: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field) \(reason)" }
}
