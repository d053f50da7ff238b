import Foundation

/// Where use cases read the time, so that SLA clocks and timers can be tested at any moment.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    public func now() -> Date { read() }

    public static let system = WallClock { Date() }
}
