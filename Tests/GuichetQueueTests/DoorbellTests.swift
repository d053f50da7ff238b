import Testing

@testable import GuichetQueue

@Suite("Doorbell")
struct DoorbellTests {
    @Test("a ring is answered once: a claim loop that answers it does not claim again and again on the same ring")
    func ringAnsweredOnce() {
        let doorbell = Doorbell()
        #expect(!doorbell.answer())
        doorbell.ring()
        #expect(doorbell.answer())
        #expect(!doorbell.answer(), "the ring was answered")
    }

    @Test("a ring with nobody waiting is kept for the next wait")
    func ringKept() async {
        let doorbell = Doorbell()
        doorbell.ring()
        let started = ContinuousClock.now
        await doorbell.wait(upTo: .seconds(60))
        #expect(ContinuousClock.now - started < .seconds(30), "the kept ring ended the wait")
        #expect(!doorbell.answer(), "the wait answered the ring")
    }
}
