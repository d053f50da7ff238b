/// What a list of CIs is narrowed to; `nil` means any.
public struct CIFilter: Sendable, Equatable {
    /// Words that must all appear in the name, serial, asset tag, addresses or room, accents and
    /// case aside.
    public var text: String?
    public var ciClass: CIClass?
    /// The establishment's UAI code.
    public var establishment: String?
    public var status: CIStatus?

    public init(text: String? = nil, ciClass: CIClass? = nil, establishment: String? = nil, status: CIStatus? = nil) {
        self.text = text
        self.ciClass = ciClass
        self.establishment = establishment
        self.status = status
    }
}
