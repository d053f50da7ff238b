import Synchronization

/// How many more jobs a worker may start: taken on claim, given back when a job ends.
final class Slots: Sendable {
    private let free: Mutex<Int>

    init(_ count: Int) { free = Mutex(count) }

    var available: Int { free.withLock { $0 } }

    func take() { free.withLock { $0 -= 1 } }

    func giveBack() { free.withLock { $0 += 1 } }

    /// Waits until at least `count` slots are free or `timeout` has passed, whichever comes first.
    func waitUntil(free count: Int, doorbell: Doorbell, upTo timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while available < count && ContinuousClock.now < deadline && !Task.isCancelled {
            await doorbell.wait(upTo: deadline - ContinuousClock.now)
        }
    }
}
