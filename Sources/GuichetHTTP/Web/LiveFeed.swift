import Foundation
import GuichetStore
import Logging
import ServiceLifecycle
import Synchronization

/// Tells the browsers connected to this API node that tickets changed, wherever the change was
/// made: while at least one browser listens, it reads the history entries written since its last
/// look (every `interval`, one indexed query per node whatever the number of browsers), and
/// passes their kinds to every subscriber. No trigger and no NOTIFY on the write path: ticket
/// changes commit as fast without it.
public final class LiveFeed: Service, Sendable {
    let database: Database
    let logger: Logger
    let interval: Duration
    let heartbeat: Duration
    private let subscribers = Mutex<[Int: AsyncStream<[String]>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    public init(database: Database, logger: Logger, interval: Duration = .milliseconds(250), heartbeat: Duration = .seconds(15)) {
        self.database = database
        self.logger = logger
        self.interval = interval
        self.heartbeat = heartbeat
    }

    /// The kinds of the changes from now on; an empty batch is a keep-alive.
    func subscribe() -> AsyncStream<[String]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [String].self, bufferingPolicy: .bufferingNewest(32))
        let id = nextID.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in self?.subscribers.withLock { _ = $0.removeValue(forKey: id) } }
        return stream
    }

    var subscriberCount: Int { subscribers.withLock { $0.count } }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await poll()
        } onGracefulShutdown: {
            // streams end so that their responses finish and the server can stop
            self.subscribers.withLock { subscribers in
                for continuation in subscribers.values { continuation.finish() }
                subscribers.removeAll()
            }
        }
    }

    private func poll() async {
        var last: Int64?
        var lastBeat = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            guard subscriberCount > 0 else {
                last = nil
                continue
            }
            do {
                let (kinds, newest) = try await database.client.withConnection { connection in
                    let events = EventRepository(connection: connection, logger: logger)
                    guard let last else { return ([String](), try await events.latestID()) }
                    return try await events.kinds(after: last, limit: 1000)
                }
                last = newest
                if !kinds.isEmpty {
                    broadcast(Array(Set(kinds)).sorted())
                    lastBeat = .now
                } else if ContinuousClock.now - lastBeat >= heartbeat {
                    broadcast([])
                    lastBeat = .now
                }
            } catch {
                logger.warning("live feed could not read the history", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func broadcast(_ kinds: [String]) {
        subscribers.withLock { subscribers in
            for continuation in subscribers.values { continuation.yield(kinds) }
        }
    }
}
