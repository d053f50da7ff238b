/// What a list of CIs is narrowed to; `nil` means any.
public struct CIFilter: Sendable, Equatable {
    /// Words that must all appear in the name, serial, asset tag, MAC address or room, accents and
    /// case aside; a word that may start an IP address (`mayStartAddress`) may start it instead.
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

    /// The words of `text` a search looks for: the first eight.
    public var words: [String] {
        (text ?? "").split(whereSeparator: \.isWhitespace).prefix(8).map(String.init)
    }

    /// Hexadecimal digits with at least one dot or colon ("10.11", "fe80:"). A word without a dot
    /// or colon ("10") is never taken for the start of an address: it would be every address.
    public static func mayStartAddress(_ word: String) -> Bool {
        word.contains { $0 == "." || $0 == ":" } && word.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
    }
}
