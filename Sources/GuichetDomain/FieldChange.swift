/// A change of one field, as history keeps it.
public struct FieldChange: Sendable, Equatable, Codable {
    public var from: String?
    public var to: String?

    public init(from: String?, to: String?) {
        self.from = from
        self.to = to
    }
}
