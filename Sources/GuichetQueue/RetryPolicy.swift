/// Exponential backoff with jitter between attempts of a failing job.
public struct RetryPolicy: Sendable {
    public var base: Duration
    public var cap: Duration
    /// The share of each delay that is randomised (0.25: delay x [0.75, 1.25]).
    public var jitter: Double

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(3600), jitter: Double = 0.25) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// The wait before the next attempt after `attempt` failed (1 for the first run).
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = Double(max(0, min(attempt - 1, 40)))
        let seconds = min(base.seconds * pow2(exponent), cap.seconds)
        let factor = 1 - jitter + 2 * jitter * random
        return .milliseconds(Int64((seconds * factor * 1000).rounded()))
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}

extension Duration {
    /// The duration as a number of seconds.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
