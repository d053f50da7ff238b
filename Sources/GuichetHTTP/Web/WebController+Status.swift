import Foundation
import GuichetDomain
import GuichetServices
import HTTPTypes
import Hummingbird
import NIOCore

extension WebController {
    func registerStatus(on web: RouterGroup<GuichetRequestContext>) {
        web.get("/status", use: statusPage)
        web.get("/status/board", use: statusBoard)
        web.get("/status/events", use: statusEvents)
    }

    @Sendable func statusPage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let board = try await status.board(for: principal)
        let words = visitor.language
        return renderer.page("status", title: words.word("status_board"), data: Self.boardData(board, visitor: visitor), visitor: visitor)
    }

    /// The board alone, for the live script to swap in when something changed.
    @Sendable func statusBoard(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        return renderer.fragment("status-board", data: Self.boardData(try await status.board(for: principal), visitor: visitor), visitor: visitor)
    }

    /// Server-Sent Events: a `change` event when the reader's board changed. Whenever tickets
    /// changed anywhere in the cluster the board is read again, within the reader's perimeter, at
    /// most every two seconds, and compared with the last one sent: the event tells nothing of
    /// tickets the reader may not see.
    @Sendable func statusEvents(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (_, principal) = try Self.signedIn(request, context)
        let live = self.live
        let status = self.status
        let first = try await status.board(for: principal)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: .init { writer in
                try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
                var last = first
                var readAt = ContinuousClock.now
                for await kinds in live.subscribe(scope: .all) {
                    guard !kinds.isEmpty else {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        continue
                    }
                    try await Task.sleep(until: readAt + .seconds(2))
                    readAt = ContinuousClock.now
                    var board = try await status.board(for: principal)
                    board.at = last.at
                    guard board != last else { continue }
                    last = board
                    try await writer.write(ByteBuffer(string: "event: change\ndata: status\n\n"))
                }
                try await writer.finish(nil)
            }
        )
    }

    private static func boardData(_ board: StatusBoardView, visitor: WebVisitor) -> [String: Any] {
        let words = visitor.language
        func lines(_ lines: [StatusLineView]) -> [[String: Any]] {
            lines.map { line in
                [
                    "name": line.name, "code": line.code ?? "", "state": line.state.rawValue, "stateText": words.word("status_board_\(line.state.rawValue)"),
                    "since": line.since.map { WebFormat.date($0, in: words) } ?? "", "sinceISO": line.since.map(WebFormat.iso) ?? "",
                    "maintenance": line.maintenance.map { window in
                        [
                            "reason": window.reason, "from": WebFormat.date(window.startsAt, in: words),
                            "to": window.endsAt.map { WebFormat.date($0, in: words) } ?? words.word("status_board_until_told"),
                            "running": window.startsAt <= board.at,
                        ] as [String: Any]
                    },
                    "incidents": line.incidents.map { incident in
                        [
                            "ref": incident.ref, "summary": incident.summary, "priority": incident.priority, "link": visitor.isStaff,
                            "since": WebFormat.date(incident.since, in: words), "statusText": WebFormat.status(incident.status, in: words),
                        ] as [String: Any]
                    },
                ] as [String: Any]
            }
        }
        return [
            // the counts are part of the board, so that they follow it live
            "summary": StatusLineView.State.allCases.reversed().map { state in
                ["state": state.rawValue, "label": words.word("status_board_\(state.rawValue)"), "count": board.count(state)] as [String: Any]
            },
            "services": lines(board.services), "establishments": lines(board.establishments), "at": WebFormat.date(board.at, in: words),
            "hasServices": !board.services.isEmpty, "hasEstablishments": !board.establishments.isEmpty,
        ]
    }
}
