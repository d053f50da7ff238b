import Synchronization

/// A database call that took longer than its deadline (a connection lost at the wrong moment).
struct DeadlineExceeded: Error, CustomStringConvertible {
    let what: String
    let deadline: Duration
    var description: String { "\(what) did not answer within \(deadline)" }
}

/// Runs `operation`, giving up after `deadline`. A worker must never wait for ever on a call whose
/// connection died: it would stop completing jobs while its heartbeats kept them leased.
///
/// Measured here: a PostgreSQL restart can leave a query of PostgresNIO waiting for an answer that
/// never comes, and that does not end when its task is cancelled. A task group would wait for it, so
/// the operation runs in a task of its own that is cancelled, and abandoned, once the deadline passes.
func withDeadline<Result: Sendable>(
    _ deadline: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let outcome = FirstOutcome<Result>()
    let work = Task { outcome.finish(with: await Task.result(operation)) }
    let timer = Task {
        try await Task.sleep(for: deadline)
        if outcome.finish(with: .failure(DeadlineExceeded(what: what, deadline: deadline))) { work.cancel() }
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { outcome.wait(with: $0) }
    } onCancel: {
        work.cancel()
    }
}

extension Task where Failure == any Error, Success == Never {
    static func result<Value>(_ operation: @Sendable () async throws -> Value) async -> Swift.Result<Value, any Error> {
        do {
            return .success(try await operation())
        } catch {
            return .failure(error)
        }
    }
}

/// Resumes a continuation with whichever outcome comes first, whether it comes before or after
/// the continuation is there.
final class FirstOutcome<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var result: Result<Value, any Error>?
        var done = false
    }

    private let state = Mutex(State())

    func wait(with continuation: CheckedContinuation<Value, any Error>) {
        let ready = state.withLock { state -> Result<Value, any Error>? in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(with: ready) }
    }

    /// Returns whether this outcome was the first.
    @discardableResult
    func finish(with result: Result<Value, any Error>) -> Bool {
        let (first, continuation) = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
            guard !state.done else { return (false, nil) }
            state.done = true
            guard let continuation = state.continuation else {
                state.result = result
                return (true, nil)
            }
            state.continuation = nil
            return (true, continuation)
        }
        continuation?.resume(with: result)
        return first
    }
}
