import Foundation
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Testing

@Suite("Who sees what")
struct AccessTests {
    @Test("no token, a malformed one or an unknown one is 401 with a Bearer challenge")
    func unauthenticated() async throws {
        try await withAPI { api async throws in
            for token: String? in [nil, "gch_unknown", String(repeating: "a", count: 5_000)] {
                let response = try await api.call(.get, "/api/v1/tickets", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            let basic = try await api.call(.get, "/api/v1/tickets", headers: [.authorization: "Basic dXNlcjpwYXNz"])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test("headers that name a user (as some proxies set them) are never believed: without a credential, 401")
    func userHeadersIgnored() async throws {
        try await withAPI { api async throws in
            let headers: HTTPFields = [
                .init("X-Remote-User")!: "demo.admin", .init("X-Forwarded-User")!: "demo.admin", .init("Remote-User")!: "demo.admin",
                .init("X-Auth-Request-User")!: "demo.admin",
            ]
            #expect(try await api.call(.get, "/api/v1/tickets", headers: headers).status == .unauthorized)
            #expect(try await api.call(.get, "/api/v1/audit", headers: headers).status == .unauthorized)
            var asRequester = headers
            asRequester[.authorization] = "Bearer \(api.token("requester"))"
            #expect(try await api.call(.get, "/api/v1/audit", headers: asRequester).status == .forbidden, "the token's owner, not the header, is the caller")
        }
    }

    @Test("a revoked token no longer works")
    func revoked() async throws {
        try await withAPI { api async throws in
            try await api.database.client.query("UPDATE api_tokens SET revoked_at = now()")
            #expect(try await api.call(.get, "/api/v1/tickets", as: "agent").status == .unauthorized)
        }
    }

    @Test("a requester token cannot read, act on, comment on or list another requester's ticket: 404, as if it did not exist")
    func otherRequester() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open(as: "local_correspondent")
            let path = "/api/v1/tickets/\(ticket.id)"
            #expect(try await api.call(.get, path, as: "requester").status == .notFound)
            #expect(try await api.call(.get, "/api/v1/tickets/\(ticket.ref)", as: "requester").status == .notFound)
            #expect(try await api.call(.get, path + "/history", as: "requester").status == .notFound)
            #expect(try await api.call(.post, path + "/comments", as: "requester", body: #"{"body":"hi"}"#).status == .notFound)
            let close = try await api.call(.post, path + "/actions/close", as: "requester", body: "{}", headers: [.ifMatch: "\"1\""])
            #expect(close.status == .notFound)
            let list = try await api.call(.get, "/api/v1/tickets", as: "requester").decode(TicketPage.self)
            #expect(list.items.isEmpty)
            // the owner and staff still see it
            #expect(try await api.call(.get, path, as: "local_correspondent").status == .ok)
            #expect(try await api.call(.get, path, as: "agent").status == .ok)
        }
    }

    @Test("internal notes are staff only: requesters cannot write them nor see them in the history")
    func internalNotes() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open()
            let path = "/api/v1/tickets/\(ticket.id)"
            let note = try await api.call(.post, path + "/comments", as: "agent", body: #"{"body":"Known flaky switch","visibility":"internal"}"#)
            #expect(note.status == .created)
            let reply = try await api.call(.post, path + "/comments", as: "agent", body: #"{"body":"We are on it."}"#)
            #expect(reply.status == .created)
            #expect(try reply.decode(CommentView.self).visibility == .public)
            let refused = try await api.call(.post, path + "/comments", as: "requester", body: #"{"body":"x","visibility":"internal"}"#)
            #expect(refused.status == .forbidden)
            let answer = try await api.call(.post, path + "/comments", as: "requester", body: #"{"body":"Merci !"}"#)
            #expect(answer.status == .created)

            let asRequester = try await api.call(.get, path + "/history", as: "requester").decode(HistoryPage.self).items
            let asAgent = try await api.call(.get, path + "/history", as: "agent").decode(HistoryPage.self).items
            #expect(asRequester.map(\.kind) == ["created", "commented", "commented"])
            #expect(asAgent.map(\.kind) == ["created", "noted", "commented", "commented"])
            #expect(!asRequester.contains { $0.note?.contains("flaky") == true })
        }
    }

    @Test("a ticket lists only the actions its reader may perform")
    func availableActionsPerCaller() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open(body: #"{"kind":"request","title":"Forfait mobile","service":"telephonie-mobile"}"#)
            let resolved = try await api.act(
                "resolve", on: ticket, body: #"{"resolution_code":"out_of_perimeter","solution":"Hors périmètre","resolution_mode":"remote"}"#
            ).decode(TicketView.self)
            #expect(resolved.availableActions == [.close, .reopen])
            #expect(try await api.ticket(ticket.id, as: "requester").availableActions == [.close, .reopen])
            let fresh = try await api.open()
            #expect(try await api.ticket(fresh.id, as: "requester").availableActions.isEmpty)
            #expect(try await api.ticket(fresh.id, as: "agent").availableActions == [.assign, .take])
        }
    }

    @Test("a closed ticket takes no more comments")
    func closedTicketComment() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.open(body: #"{"kind":"request","title":"Forfait mobile","service":"telephonie-mobile"}"#)
            let resolved = try await api.act(
                "resolve", on: ticket, body: #"{"resolution_code":"out_of_perimeter","solution":"Hors périmètre","resolution_mode":"remote"}"#
            ).decode(TicketView.self)
            _ = try await api.act("close", on: resolved, as: "requester")
            let response = try await api.call(.post, "/api/v1/tickets/\(ticket.id)/comments", as: "requester", body: #"{"body":"encore"}"#)
            #expect(response.status == .conflict)
        }
    }
}
