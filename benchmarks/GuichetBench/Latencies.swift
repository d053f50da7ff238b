import Histogram

/// Latencies in microseconds, summarised as the benchmark tables print them (milliseconds).
struct Latencies {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(seconds: Double) {
        _ = histogram.record(UInt64(max(0, seconds) * 1_000_000))
    }

    var count: UInt64 { histogram.totalCount }

    /// Adds the latencies another task recorded.
    mutating func merge(_ other: Latencies) {
        histogram.add(other.histogram)
    }

    func milliseconds(_ percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    var summary: [String: Double] {
        ["p50": milliseconds(50), "p95": milliseconds(95), "p99": milliseconds(99), "max": Double(histogram.max) / 1000]
    }
}
