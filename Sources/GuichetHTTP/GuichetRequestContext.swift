import GuichetDomain
import Hummingbird

/// Per-request state: who is calling (set by `AuthMiddleware`).
public struct GuichetRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The browser session the request came with, if it came with one.
    public var session: BrowserSession?
    /// The peer that opened the connection (the load balancer, behind HAProxy).
    public let peerAddress: String?
    /// The caller's address: the peer, or what a trusted proxy says it forwarded.
    public var clientAddress: String?
    /// Who is looking at a web page (set by `WebSessionMiddleware`).
    var visitor: WebVisitor?
    /// The submitted form of a web page's POST, read and checked against CSRF before the handler.
    var form: WebForm?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies of the API are small; attachments will have routes of their own.
    public var maxUploadSize: Int { 64 * 1024 }

    /// The caller, or 401 when the route is reached without authentication.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw Problem.unauthorized }
        return principal
    }

    /// The row id a path names in `parameter`; anything but a positive integer names nothing, so it
    /// answers 404 saying what was looked for (`thing`: "configuration item", "import").
    func rowID(_ parameter: String, naming thing: String) throws -> Int64 {
        let text = try parameters.require(parameter)
        guard let id = Int64(text), id > 0 else { throw Problem.notFound("No \(thing) is called '\(text.prefix(40))'.") }
        return id
    }
}
