import Foundation
import GuichetDomain
import GuichetServices
import HTTPTypes
import Hummingbird
import NIOCore

extension WebController {
    func registerConsole(on web: RouterGroup<GuichetRequestContext>) {
        web.get("/console", use: consolePage)
        web.get("/console/rows", use: consoleRows)
        web.get("/console/events", use: consoleEvents)
    }

    @Sendable func consolePage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard visitor.works else { throw WebError.notForYou }
        let view = ConsoleView(request)
        let words = visitor.language
        let rows = try await queueRows(view, principal: principal, words: words)
        return renderer.page(
            "console", title: words.word("console"),
            data: [
                "queue": view.queue.rawValue, "rows": rows, "q": view.text ?? "", "caption": words.word("queue_\(view.queue.rawValue)"),
                "queues": ConsoleQueue.allCases.map { ["name": $0.rawValue, "label": words.word("queue_\($0.rawValue)"), "current": $0 == view.queue] },
                "priorities": Priority.allCases.map { ["value": $0.label, "selected": $0 == view.priority] },
            ],
            visitor: visitor
        )
    }

    /// The rows of a queue alone, for the live script to swap in when something changed.
    @Sendable func consoleRows(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard visitor.works else { throw WebError.notForYou }
        let rows = try await queueRows(ConsoleView(request), principal: principal, words: visitor.language)
        return renderer.fragment("console-rows", data: ["rows": rows], visitor: visitor)
    }

    /// Server-Sent Events: a `change` event whenever tickets the reader may see changed anywhere in
    /// the cluster (the feed reads the history table, which every node writes), a comment every 15 s
    /// to keep the connection open through proxies. The event says only that something changed:
    /// the browser asks for its rows again, within its own perimeter.
    @Sendable func consoleEvents(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard visitor.works else { throw WebError.notForYou }
        let live = self.live
        let scope = AccessPolicy.ticketScope(of: principal)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: .init { writer in
                try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
                for await kinds in live.subscribe(scope: scope) {
                    let text = kinds.isEmpty ? ": keep-alive\n\n" : "event: change\ndata: \(kinds.joined(separator: ","))\n\n"
                    try await writer.write(ByteBuffer(string: text))
                }
                try await writer.finish(nil)
            }
        )
    }

    private func queueRows(_ view: ConsoleView, principal: Principal, words: WebLanguage) async throws -> [[String: Any]] {
        let rows = try await console.queue(view.queue, priority: view.priority, text: view.text, for: principal)
        return rows.map { row in
            let ticket = row.ticket
            var slaText = "—"
            if let remaining = row.remainingSeconds, let clock = row.clock {
                slaText = words.word("clock_short_\(clock.rawValue)") + " " + WebFormat.duration(remaining, in: words)
                if row.state == .paused { slaText += " (" + words.word("sla_paused") + ")" }
            }
            return [
                "ref": ticket.ref, "priority": ticket.priority, "title": ticket.title, "status": ticket.status.rawValue,
                "statusText": WebFormat.status(ticket.status, in: words), "establishment": ticket.establishment.name,
                "team": ticket.team?.name ?? "—", "agent": ticket.agent?.name ?? "—", "slaText": slaText,
                "slaState": row.state?.rawValue ?? "none", "breached": ticket.slaBreached || (row.remainingSeconds ?? 1) < 0,
            ]
        }
    }
}

/// The queue and filters a console page shows, from its query string.
struct ConsoleView {
    var queue: ConsoleQueue
    var priority: Priority?
    var text: String?

    init(_ request: Request) {
        let parameters = request.uri.queryParameters
        queue = parameters.get("queue").flatMap(ConsoleQueue.init(rawValue:)) ?? .mine
        priority = parameters.get("priority").flatMap(Priority.init(label:))
        text = parameters.get("q").map { String($0.trimmingCharacters(in: .whitespaces).prefix(100)) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
