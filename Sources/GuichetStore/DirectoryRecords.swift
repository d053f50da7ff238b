import GuichetDomain

/// An organisation of the directory.
public struct OrganizationRecord: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case provider
        case establishment
        case partner
        case contractor
    }

    public var id: Int64
    public var kind: Kind
    public var name: String
    public var code: String
    public var parentID: Int64?
    public var establishmentType: String?
    public var departmentCode: String?
    public var city: String?

    public init(
        id: Int64 = 0, kind: Kind, name: String, code: String, parentID: Int64? = nil, establishmentType: String? = nil,
        departmentCode: String? = nil, city: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.code = code
        self.parentID = parentID
        self.establishmentType = establishmentType
        self.departmentCode = departmentCode
        self.city = city
    }
}

/// A person of the directory.
public struct PersonRecord: Sendable, Equatable {
    public var id: Int64
    public var organizationID: Int64
    public var name: String
    public var email: String
    public var phone: String?
    public var locale: String

    public init(id: Int64 = 0, organizationID: Int64, name: String, email: String, phone: String? = nil, locale: String = "fr") {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.email = email
        self.phone = phone
        self.locale = locale
    }
}

/// A service of the catalogue.
public struct ServiceRecord: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var family: String
    public var name: String
    public var subcategory: String?
    public var inPerimeter: Bool

    public init(id: Int64 = 0, code: String, family: String, name: String, subcategory: String? = nil, inPerimeter: Bool = true) {
        self.id = id
        self.code = code
        self.family = family
        self.name = name
        self.subcategory = subcategory
        self.inPerimeter = inPerimeter
    }
}

/// A team of the directory.
public struct TeamRecord: Sendable, Equatable {
    public var id: Int64
    public var organizationID: Int64
    public var code: String
    public var name: String
    public var kind: TeamProfile.Kind
    public var departmentCode: String?

    public init(id: Int64 = 0, organizationID: Int64, code: String, name: String, kind: TeamProfile.Kind, departmentCode: String? = nil) {
        self.id = id
        self.organizationID = organizationID
        self.code = code
        self.name = name
        self.kind = kind
        self.departmentCode = departmentCode
    }
}
