/// The median of values known only as counts per bucket (a histogram with fixed bounds), read by
/// linear interpolation inside the bucket that holds the middle value. Dashboards keep resolution
/// times this way, so that a median over years adds up monthly rollups instead of sorting tickets.
public enum BucketedMedian {
    /// `upperBounds[i]` closes bucket `i` (from the previous bound, or 0); `counts` has one more
    /// bucket, open-ended, for values past the last bound. `nil` when there is no value.
    public static func median(counts: [Int], upperBounds: [Double]) -> Double? {
        let total = counts.reduce(0, +)
        guard total > 0, counts.count == upperBounds.count + 1 else { return nil }
        let middle = Double(total) / 2
        var before = 0
        for (index, count) in counts.enumerated() where count > 0 {
            if Double(before + count) >= middle {
                let lower = index == 0 ? 0 : upperBounds[index - 1]
                guard index < upperBounds.count else { return lower }
                let fraction = (middle - Double(before)) / Double(count)
                return lower + fraction * (upperBounds[index] - lower)
            }
            before += count
        }
        return upperBounds.last
    }
}
