import Foundation
import GuichetDomain
import GuichetServices
import GuichetStore
import GuichetTestSupport
import HTTPTypes
import Testing

@testable import GuichetHTTP

@Suite("Web dashboards: perimeters, charts, exports")
struct WebDashboardTests {
    @Test("a partner's dashboard counts only its perimeter, staff's counts all; both have charts with titles and CSV exports")
    func perimeter() async throws {
        try await withAPI { api async throws in
            let inside = try await api.open()
            try await PerimeterTests.moveRequester(api, ofTicket: inside.id, toType: "lycee")
            let outside = try await api.open()
            try await PerimeterTests.moveRequester(api, ofTicket: outside.id, toType: "cfa")
            let names = try await Self.establishmentNames(api, tickets: [inside.id, outside.id])
            #expect(try await DashboardService(database: api.database, logger: TestDatabase.logger).refresh() >= 1)
            var partner = try await WebBrowser.signedIn(api, as: "partner_viewer")
            let page = try await partner.get("/dashboards")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<svg xmlns="http://www.w3.org/2000/svg" role="img""#) && page.text.contains("<title id=\"chart-monthly-title\">"))
            let top = Self.table("top-establishments", in: page.text)
            #expect(top.contains(Self.html(names[inside.id])) && !top.contains(Self.html(names[outside.id])))
            let csv = try await partner.get("/dashboards/top-establishments.csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true && csv.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            #expect(csv.text.contains(names[inside.id] ?? "?") && !csv.text.contains(names[outside.id] ?? "?"))
            var agent = try await WebBrowser.signedIn(api, as: "agent")
            let all = Self.table("top-establishments", in: try await agent.get("/dashboards").text)
            #expect(all.contains(Self.html(names[inside.id])) && all.contains(Self.html(names[outside.id])))
            var requester = try await WebBrowser.signedIn(api, as: "requester")
            #expect(try await requester.get("/dashboards").status == .forbidden)
        }
    }

    @Test("the monthly rollups follow resolutions, with the mean and median times")
    func resolutions() async throws {
        try await withAPI { api async throws in
            let ticket = try await api.openAtDesk(take: true)
            // opened three hours ago, resolved now: in the 3-4 h bucket of the histogram
            try await api.database.client.query("UPDATE tickets SET created_at = now() - interval '3 hours' WHERE id = \(ticket.id)")
            _ = try await api.act("resolve", on: ticket, body: #"{"resolution_code":"fixed","solution":"Fait","resolution_mode":"on_site"}"#)
            let dashboards = DashboardService(database: api.database, logger: TestDatabase.logger)
            _ = try await dashboards.refresh()
            let agent = Principal(personID: api.template.account("agent").personId, organizationID: 0, roles: [.agent])
            let now = Date()
            let figures = try await dashboards.dashboard(DashboardFilter(from: now.addingTimeInterval(-40 * 86_400), until: now.addingTimeInterval(40 * 86_400)), for: agent)
            #expect(figures.resolutions.resolved == 1 && figures.resolutions.onSite == 1 && figures.resolutions.remote == 0)
            #expect(abs((figures.resolutions.meanHours ?? 0) - 3) < 0.1)
            #expect((figures.resolutions.medianHours ?? 0) >= 2 && (figures.resolutions.medianHours ?? 99) <= 4)
        }
    }

    @Test("CSV cells are quoted and never start a formula")
    func csvCells() {
        #expect(CSV.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSV.cell("Lycée Jean Zay (0450001G)") == "\"Lycée Jean Zay (0450001G)\"")
    }

    @Test("chart texts are escaped, as the chart is placed in the page as markup")
    func chartEscaping() {
        let svg = SVGChart(
            id: "c", title: "<b>titre</b>", description: "d", labels: ["<script>x</script>"], series: [.init(name: "s\"", style: "series-a")],
            values: [[3]]
        ).bars()
        #expect(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("&lt;b&gt;titre"))
        #expect(svg.contains("<title>&lt;script&gt;x&lt;/script&gt; : 3</title>"), "the value on hover")
    }

    /// The rows of one dashboard table.
    static func table(_ id: String, in html: String) -> String {
        guard let start = html.range(of: #"<table id="\#(id)""#), let end = html[start.upperBound...].range(of: "</table>") else { return "" }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func html(_ text: String?) -> String { (text ?? "?").replacingOccurrences(of: "'", with: "&#39;") }

    static func establishmentNames(_ api: APIHarness, tickets: [Int64]) async throws -> [Int64: String] {
        let rows = try await api.database.client.query("SELECT t.id, o.name FROM tickets t JOIN organizations o ON o.id = t.establishment_id WHERE t.id = ANY(\(tickets))")
        var names: [Int64: String] = [:]
        for try await (id, name) in rows.decode((Int64, String).self) { names[id] = name }
        return names
    }
}
