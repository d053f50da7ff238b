import Synchronization

/// The jobs a worker holds a lease on: from their claim until their outcome is written. Only
/// these get heartbeats.
final class HeldJobs: Sendable {
    private let jobs = Mutex<Set<Int64>>([])

    func add(_ ids: [Int64]) { jobs.withLock { $0.formUnion(ids) } }

    func remove(_ ids: [Int64]) { jobs.withLock { $0.subtract(ids) } }

    var ids: [Int64] { jobs.withLock { Array($0) } }
}
