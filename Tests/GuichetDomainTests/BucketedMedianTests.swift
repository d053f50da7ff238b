import GuichetDomain
import Testing

@Suite("Median from a histogram")
struct BucketedMedianTests {
    let bounds: [Double] = [1, 2, 4, 8]

    @Test("the middle value is interpolated inside its bucket")
    func interpolates() {
        // 10 values in [0, 1), 10 in [1, 2): the median sits at the boundary
        #expect(BucketedMedian.median(counts: [10, 10, 0, 0, 0], upperBounds: bounds) == 1)
        // 4 values in [2, 4): the middle one is halfway through the bucket
        #expect(BucketedMedian.median(counts: [0, 0, 4, 0, 0], upperBounds: bounds) == 3)
    }

    @Test("values past the last bound give that bound; no values give no median")
    func edges() {
        #expect(BucketedMedian.median(counts: [0, 0, 0, 0, 5], upperBounds: bounds) == 8)
        #expect(BucketedMedian.median(counts: [0, 0, 0, 0, 0], upperBounds: bounds) == nil)
        #expect(BucketedMedian.median(counts: [1, 2], upperBounds: bounds) == nil)
    }

    @Test("it agrees with the exact median of evenly spread values within a bucket's width")
    func closeToExact() {
        let values = (0..<1000).map { Double($0) / 1000 * 8 }  // 0 ..< 8, evenly
        var counts = [0, 0, 0, 0, 0]
        for value in values { counts[bounds.firstIndex { value < $0 } ?? 4] += 1 }
        let median = BucketedMedian.median(counts: counts, upperBounds: bounds) ?? -1
        #expect(abs(median - 4) < 0.01)
    }
}
