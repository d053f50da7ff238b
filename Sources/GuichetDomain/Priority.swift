/// How widely a problem is felt: 1 = a whole site or more, 2 = a group or a service, 3 = one person.
public struct Impact: RawRepresentable, Sendable, Equatable, Hashable, Codable {
    public let rawValue: Int
    public init?(rawValue: Int) {
        guard (1...3).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }
}

/// How soon it hurts: 1 = work is stopped now, 2 = work is degraded, 3 = it can wait.
public struct Urgency: RawRepresentable, Sendable, Equatable, Hashable, Codable {
    public let rawValue: Int
    public init?(rawValue: Int) {
        guard (1...3).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }
}

/// P1 is the "whole network down" class; P4 is the least pressing.
public enum Priority: Int, Sendable, Codable, CaseIterable, Comparable {
    case p1 = 1
    case p2 = 2
    case p3 = 3
    case p4 = 4

    /// The impact x urgency matrix:
    ///
    /// |            | urgency 1 | urgency 2 | urgency 3 |
    /// |------------|-----------|-----------|-----------|
    /// | impact 1   | P1        | P2        | P3        |
    /// | impact 2   | P2        | P3        | P4        |
    /// | impact 3   | P3        | P4        | P4        |
    public init(impact: Impact, urgency: Urgency) {
        self = Priority(rawValue: min(4, impact.rawValue + urgency.rawValue - 1))!
    }

    public var label: String { "P\(rawValue)" }

    public init?(label: String) {
        guard label.count == 2, label.first == "P" || label.first == "p", let value = Int(label.dropFirst()),
            let priority = Priority(rawValue: value)
        else { return nil }
        self = priority
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
}
