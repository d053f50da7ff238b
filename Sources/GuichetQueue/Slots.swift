import ServiceLifecycle
import Synchronization

/// How many more jobs a worker may start: taken on claim, given back when a job ends.
final class Slots: Sendable {
    private struct State {
        var free: Int
        /// Whether the claim loop waits for slots to free up.
        var awaited = false
    }

    private let state: Mutex<State>

    init(_ count: Int) { state = Mutex(State(free: count)) }

    var available: Int { state.withLock { $0.free } }

    func take() { state.withLock { $0.free -= 1 } }

    /// Returns whether the claim loop waits for slots, and should be woken.
    func giveBack() -> Bool {
        state.withLock { state in
            state.free += 1
            return state.awaited
        }
    }

    /// Waits until at least `count` slots are free, `timeout` has passed or shutdown begins,
    /// whichever comes first.
    func waitUntil(free count: Int, doorbell: Doorbell, upTo timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        state.withLock { $0.awaited = true }
        defer { state.withLock { $0.awaited = false } }
        while available < count && ContinuousClock.now < deadline && !Task.isCancelled && !Task.isShuttingDownGracefully {
            await doorbell.wait(upTo: deadline - ContinuousClock.now)
        }
    }
}
