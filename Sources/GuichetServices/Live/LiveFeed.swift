import Foundation
import GuichetDomain
import GuichetStore
import Logging
import ServiceLifecycle
import Synchronization

/// Tells the browsers connected to an API node (its console's event stream) that tickets changed, wherever the change was
/// made: while at least one browser listens, it reads the history entries written since its last
/// look (every `interval`, one indexed query per node whatever the number of browsers), and
/// passes their kinds to each subscriber, of the tickets its reader may see only (staff see all;
/// one scoped query per other perimeter listening). No trigger and no NOTIFY on the write path:
/// ticket changes commit as fast without it.
public final class LiveFeed: Service, Sendable {
    let database: Database
    let logger: Logger
    let interval: Duration
    let heartbeat: Duration
    private struct Subscriber {
        let scope: TicketScope
        let continuation: AsyncStream<[String]>.Continuation
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)

    public init(database: Database, logger: Logger, interval: Duration = .milliseconds(250), heartbeat: Duration = .seconds(15)) {
        self.database = database
        self.logger = logger
        self.interval = interval
        self.heartbeat = heartbeat
    }

    /// The kinds of the changes from now on to tickets `scope` sees; an empty batch is a keep-alive.
    public func subscribe(scope: TicketScope) -> AsyncStream<[String]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [String].self, bufferingPolicy: .bufferingNewest(32))
        let id = nextID.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = Subscriber(scope: scope, continuation: continuation) }
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
                for subscriber in subscribers.values { subscriber.continuation.finish() }
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
                let scopes = Set(subscribers.withLock { $0.values.map(\.scope) })
                let (kindsByScope, newest) = try await database.client.withConnection { connection in
                    let history = EventRepository(connection: connection, logger: logger)
                    guard let last else { return ([TicketScope: [String]](), try await history.latestID()) }
                    let (events, newest) = try await history.events(after: last, limit: 1000)
                    guard !events.isEmpty else { return ([:], newest) }
                    var kinds: [TicketScope: [String]] = [:]
                    let ticketIDs = Array(Set(events.map(\.ticketID)))
                    for scope in scopes {
                        let visible = scope == .all ? Set(ticketIDs) : try await history.visible(ticketIDs, to: scope)
                        let seen = Set(events.filter { visible.contains($0.ticketID) }.map(\.kind))
                        if !seen.isEmpty { kinds[scope] = seen.sorted() }
                    }
                    return (kinds, newest)
                }
                last = newest
                let beat = ContinuousClock.now - lastBeat >= heartbeat
                if beat { lastBeat = .now }
                broadcast(kindsByScope, keepAlive: beat)
            } catch {
                logger.warning("live feed could not read the history", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Each subscriber gets the kinds of its scope, or with `keepAlive` an empty batch when its
    /// scope has none (a reader whose perimeter is quiet still hears every `heartbeat`).
    private func broadcast(_ kindsByScope: [TicketScope: [String]], keepAlive: Bool) {
        subscribers.withLock { subscribers in
            for subscriber in subscribers.values {
                if let kinds = kindsByScope[subscriber.scope] {
                    subscriber.continuation.yield(kinds)
                } else if keepAlive {
                    subscriber.continuation.yield([])
                }
            }
        }
    }
}
