import Hummingbird
import Synchronization

/// Every route of the node, declared once: registered on the router and listed for the test that
/// holds the server to its OpenAPI document. Paths are written as in OpenAPI (`/tickets/{id}`).
public final class RouteTable {
    public struct Route: Hashable, Sendable, CustomStringConvertible {
        public let method: String
        public let path: String
        public var description: String { "\(method) \(path)" }
    }

    let router: Router<GuichetRequestContext>
    /// The routes added, also read while requests are served (`MethodNotAllowedMiddleware`).
    let known = KnownRoutes()
    public var routes: [Route] { known.all }

    init(router: Router<GuichetRequestContext>) {
        self.router = router
    }

    func add(
        _ method: HTTPRequest.Method,
        _ path: String,
        in group: RouterGroup<GuichetRequestContext>? = nil,
        prefix: String = "",
        handler: @escaping @Sendable (Request, GuichetRequestContext) async throws -> Response
    ) {
        let routerPath = RouterPath(
            path.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? ":" + $0.dropFirst().dropLast() : $0 }
                .joined(separator: "/")
        )
        if let group {
            group.on(routerPath, method: method, use: handler)
        } else {
            router.on(routerPath, method: method, use: handler)
        }
        known.add(Route(method: method.rawValue.lowercased(), path: prefix + path))
    }
}

/// The routes of the table, readable while requests are served.
final class KnownRoutes: Sendable {
    private let routes = Mutex<[RouteTable.Route]>([])

    func add(_ route: RouteTable.Route) { routes.withLock { $0.append(route) } }

    var all: [RouteTable.Route] { routes.withLock { $0 } }

    /// The methods of the routes whose path template matches `path` (`/tickets/{id}` matches
    /// `/tickets/12`), sorted, each once.
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let methods = routes.withLock { routes in
            routes.filter { route in
                let template = route.path.split(separator: "/", omittingEmptySubsequences: false)
                return template.count == segments.count
                    && zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
            }.map { $0.method.uppercased() }
        }
        return Set(methods).sorted()
    }
}
