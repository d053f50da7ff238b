import GuichetQueue
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("delays double from the base and stop at the cap")
    func exponential() {
        let policy = RetryPolicy(base: .seconds(1), cap: .seconds(10), jitter: 0)
        #expect(policy.delay(afterAttempt: 1) == .seconds(1))
        #expect(policy.delay(afterAttempt: 2) == .seconds(2))
        #expect(policy.delay(afterAttempt: 4) == .seconds(8))
        #expect(policy.delay(afterAttempt: 5) == .seconds(10))
        #expect(policy.delay(afterAttempt: 60) == .seconds(10))
    }

    @Test("jitter stays within its share of the delay")
    func jitter() {
        let policy = RetryPolicy(base: .seconds(4), cap: .seconds(100), jitter: 0.25)
        #expect(policy.delay(afterAttempt: 1, random: 0) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, random: 1) == .seconds(5))
        for _ in 0..<100 {
            let delay = policy.delay(afterAttempt: 1).seconds
            #expect(delay >= 3 && delay <= 5)
        }
    }
}
