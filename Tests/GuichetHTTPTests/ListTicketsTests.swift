import Foundation
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Testing

@Suite("Listing tickets")
struct ListTicketsTests {
    @Test("cursor pagination walks every ticket once, newest first")
    func pagination() async throws {
        try await withAPI { api async throws in
            var opened: [Int64] = []
            for index in 0..<7 { opened.append(try await api.open(body: #"{"kind":"incident","title":"Ticket \#(index)"}"#).id) }
            var seen: [Int64] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/api/v1/tickets?limit=3" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" } ?? "")
                let page = try await api.call(.get, path, as: "agent").decode(TicketPage.self)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == opened.reversed())
            #expect(pages == 3)
        }
    }

    @Test("filters narrow the list by status, kind, priority, team and establishment")
    func filters() async throws {
        try await withAPI { api async throws in
            let incident = try await api.open(body: #"{"kind":"incident","title":"Urgent","impact":1,"urgency":1}"#)
            let request = try await api.open(body: #"{"kind":"request","title":"Plus tard"}"#)
            let desk = try await TicketActionTests.serviceDeskID(api)
            _ = try await api.act("assign", on: request, body: #"{"team_id":\#(desk)}"#)
            func ids(_ query: String) async throws -> [Int64] {
                try await api.call(.get, "/api/v1/tickets?\(query)", as: "agent").decode(TicketPage.self).items.map(\.id)
            }
            #expect(try await ids("kind=incident") == [incident.id])
            #expect(try await ids("priority=P1") == [incident.id])
            #expect(try await ids("status=assigned") == [request.id])
            #expect(try await ids("status=new,assigned") == [request.id, incident.id])
            #expect(try await ids("team=\(desk)") == [request.id])
            #expect(try await ids("establishment=\(api.template.account("requester").organizationCode)") == [request.id, incident.id])
            #expect(try await ids("establishment=0180001D").isEmpty)
        }
    }
}
