import Foundation

/// What describes a configuration item beyond its class, name and place: identifiers, make,
/// addresses, warranty, the central antivirus' view, and free attributes per class.
public struct CIAttributes: Sendable, Equatable, Codable {
    public struct Antivirus: Sendable, Equatable, Codable {
        public var protected: Bool
        /// The date of its signatures.
        public var signaturesAt: Date?
        /// When it last spoke to the antivirus console.
        public var contactAt: Date?

        public init(protected: Bool, signaturesAt: Date? = nil, contactAt: Date? = nil) {
            self.protected = protected
            self.signaturesAt = signaturesAt
            self.contactAt = contactAt
        }
    }

    public var serial: String?
    public var assetTag: String?
    public var brand: String?
    public var model: String?
    public var os: String?
    public var ip: String?
    public var mac: String?
    public var supplier: String?
    /// `YYYY-MM-DD`.
    public var warrantyEnd: String?
    public var antivirus: Antivirus?
    public var free: [String: String]

    public init(
        serial: String? = nil, assetTag: String? = nil, brand: String? = nil, model: String? = nil, os: String? = nil, ip: String? = nil,
        mac: String? = nil, supplier: String? = nil, warrantyEnd: String? = nil, antivirus: Antivirus? = nil, free: [String: String] = [:]
    ) {
        self.serial = serial
        self.assetTag = assetTag
        self.brand = brand
        self.model = model
        self.os = os
        self.ip = ip
        self.mac = mac
        self.supplier = supplier
        self.warrantyEnd = warrantyEnd
        self.antivirus = antivirus
        self.free = free
    }
}
