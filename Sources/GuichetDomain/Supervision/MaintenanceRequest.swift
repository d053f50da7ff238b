import Foundation

/// A maintenance window the service centre declares: on one CI (by id or name) or on a whole
/// establishment (by UAI), from `startsAt` to `endsAt`, and why. While it runs, monitoring opens no
/// new incident for what it covers; the status board shows it beforehand.
public struct MaintenanceRequest: Sendable, Equatable, Codable {
    public var ci: String?
    public var establishment: String?
    public var startsAt: Date
    public var endsAt: Date
    public var reason: String

    public init(ci: String? = nil, establishment: String? = nil, startsAt: Date, endsAt: Date, reason: String) {
        self.ci = ci
        self.establishment = establishment
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.reason = reason
    }

    /// The longest window declared at once.
    public static let longest: TimeInterval = 31 * 86_400

    /// What is wrong, as (field, reason); empty when the window can be stored.
    public func problems(now: Date) -> [(field: String, reason: String)] {
        var found: [(String, String)] = []
        if (ci == nil) == (establishment == nil) { found.append(("ci", "Name either a CI (ci) or an establishment (establishment), not both.")) }
        if reason.allSatisfy(\.isWhitespace) { found.append(("reason", "Say what the maintenance is for: the status board shows it.")) }
        if reason.count > 500 { found.append(("reason", "is longer than 500 characters")) }
        if endsAt <= startsAt { found.append(("ends_at", "The end comes after the start.")) }
        if endsAt <= now { found.append(("ends_at", "This end has passed already.")) }
        if endsAt.timeIntervalSince(startsAt) > Self.longest { found.append(("ends_at", "A window lasts at most 31 days; declare a longer one in parts.")) }
        return found
    }
}
