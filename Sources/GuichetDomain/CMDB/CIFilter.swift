/// What a list of CIs is narrowed to; `nil` means any.
public struct CIFilter: Sendable, Equatable {
    /// Words that must all appear in the name, serial, asset tag, addresses or room, accents and
    /// case aside.
    public var text: String?
    public var ciClass: CIClass?
    /// The establishment's UAI code.
    public var establishment: String?
    public var status: CIStatus?
    /// Only equipment still in use: retired CIs left out (the pickers of the pages).
    public var inUse: Bool

    public init(text: String? = nil, ciClass: CIClass? = nil, establishment: String? = nil, status: CIStatus? = nil, inUse: Bool = false) {
        self.text = text
        self.ciClass = ciClass
        self.establishment = establishment
        self.status = status
        self.inUse = inUse
    }
}
