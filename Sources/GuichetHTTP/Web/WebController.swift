import Foundation
import GuichetDomain
import GuichetServices
import Hummingbird

/// The web faces of Guichet, server-rendered on the API nodes: the requester portal, the agent
/// console and the dashboards. Pages call the same services as the JSON API, so every perimeter
/// check of the store applies to them too.
struct WebController: Sendable {
    let renderer: WebRenderer
    let tickets: TicketService
    let sessions: SessionService
    let console: ConsoleService
    let sla: SLAService
    let catalogue: CatalogueService
    let dashboards: DashboardService
    let cmdb: CMDBService
    let status: StatusBoard
    let alerts: AlertService
    let live: LiveFeed
    let secureCookies: Bool
    let casEnabled: Bool

    func register(on router: Router<GuichetRequestContext>, audit: AuditService) {
        StaticFiles.register(on: router)
        let web = router.group().add(middleware: WebErrorMiddleware(renderer: renderer))
            .add(middleware: WebSessionMiddleware(sessions: sessions, audit: audit))
        registerSignIn(on: web)
        registerPortal(on: web)
        registerTicketPages(on: web)
        registerConsole(on: web)
        registerCalls(on: web)
        registerDashboards(on: web)
        registerCIPages(on: web)
        registerStatus(on: web)
    }

    /// The visitor of a page that needs one signed in; otherwise the sign-in page comes first.
    static func signedIn(_ request: Request, _ context: GuichetRequestContext) throws -> (WebVisitor, Principal) {
        guard let visitor = context.visitor, let principal = visitor.principal else {
            var next = request.uri.path
            if let query = request.uri.query, !query.isEmpty { next += "?" + query }
            throw WebError.signInRequired(next: next)
        }
        return (visitor, principal)
    }

    /// The row id a page's path names in `parameter`; anything but a positive integer names a page
    /// that does not exist (the API's counterpart is `GuichetRequestContext.rowID`).
    static func rowID(_ context: GuichetRequestContext, _ parameter: String, naming thing: String) throws -> Int64 {
        guard let id = Int64(try context.parameters.require(parameter)), id > 0 else { throw ServiceError.notFound(thing) }
        return id
    }

    /// A redirect after a form post (303: the browser follows with a GET).
    static func redirect(_ location: String) -> Response { Response(status: .seeOther, headers: [.location: location]) }

    /// Where a signed-in person starts: their tickets, their queues, or their dashboards.
    static func home(of principal: Principal) -> String {
        if principal.roles.contains(.partner) { return "/dashboards" }
        if AccessPolicy.mayUseInternalNotes(principal) { return "/console" }
        return "/"
    }
}
