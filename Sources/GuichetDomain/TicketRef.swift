/// The public reference of a ticket: `I-000123` for incidents, `R-000123` for requests.
public struct TicketRef: Sendable, Hashable, CustomStringConvertible {
    public let kind: TicketKind
    public let number: Int64

    public init(kind: TicketKind, number: Int64) {
        precondition(number > 0, "ticket numbers start at 1")
        self.kind = kind
        self.number = number
    }

    /// Parses `I-000123` or `R-42`; letters are accepted in either case.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count <= 18, parts[1].allSatisfy(\.isASCII), let number = Int64(parts[1]), number > 0
        else { return nil }
        switch parts[0].uppercased() {
        case "I": self.kind = .incident
        case "R": self.kind = .request
        default: return nil
        }
        self.number = number
    }

    public var description: String {
        let prefix = kind == .incident ? "I" : "R"
        let digits = String(number)
        return prefix + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
