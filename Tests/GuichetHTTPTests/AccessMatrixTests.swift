import Foundation
import GuichetDomain
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Testing

/// Every route of the node, called by every demo role on tickets inside and outside the role's
/// perimeter, against a model of the access rules written here independently of the code. A route
/// the model does not know fails the test, so a new route cannot skip it.
@Suite("Access matrix")
struct AccessMatrixTests {
    static let roles = ["requester", "local_correspondent", "agent", "team_lead", "partner_viewer", "contractor_agent", "administrator"]
    static let staff: Set<String> = ["agent", "team_lead", "administrator"]
    /// The establishment types of the Région's perimeter in the demo.
    static let regionTypes: Set<String> = ["lycee", "lycee_professionnel", "lycee_agricole", "erea"]

    struct Fixture {
        var tickets: [String: TicketView] = [:]
        /// For each role, the names of the fixture tickets it may see.
        var visible: [String: Set<String>] = [:]
        /// Configuration items: at the requester's establishment, a lycée, a CFA, in the
        /// datacentre (no establishment), and one linked to the ticket escalated to the contractor.
        var cis: [String: Int64] = [:]
        /// For each role, the names of the fixture CIs it may see.
        var visibleCIs: [String: Set<String>] = [:]
    }

    @Test("each role gets the expected status on every route, and nothing outside its perimeter shows in a body")
    func matrix() async throws {
        try await withAPI { api async throws in
            let fixture = try await Self.fixture(api)
            var checked = 0
            // reads first, then writes, so that the tickets do not move under the reads
            let ordered = api.routes.sorted { ($0.method == "get" ? 0 : 1, $0.path) < ($1.method == "get" ? 0 : 1, $1.path) }
            for route in ordered {
                for role in Self.roles {
                    checked += try await Self.check(route.method, route.path, as: role, fixture: fixture, api: api)
                }
            }
            #expect(checked > 0)
        }
    }

    /// Calls one route as one role on each fixture ticket (or once, for routes without a ticket);
    /// returns the number of calls checked.
    static func check(_ method: String, _ path: String, as role: String, fixture: Fixture, api: APIHarness) async throws -> Int {
        let visible = fixture.visible[role] ?? []
        let canWrite = role != "partner_viewer"
        let isAdmin = role == "administrator"
        switch (method, path) {
        case ("get", "/health/live"), ("get", "/health/ready"), ("get", "/metrics"), ("get", "/api/v1/openapi.json"):
            #expect(try await api.call(.get, path).status == .ok, "\(method) \(path)")
            return 1
        case ("get", "/api/v1/tickets"):
            var seen: Set<Int64> = []
            var cursor: String?
            repeat {
                let page = try await api.call(.get, "/api/v1/tickets?limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""), as: role)
                #expect(page.status == .ok)
                let decoded = try page.decode(TicketPage.self)
                seen.formUnion(decoded.items.map(\.id))
                cursor = decoded.nextCursor
            } while cursor != nil
            let fixtureIDs = Dictionary(uniqueKeysWithValues: fixture.tickets.map { ($0.value.id, $0.key) })
            let listed = Set(seen.compactMap { fixtureIDs[$0] })
            #expect(listed == visible, "\(role) lists \(listed.sorted()), expected \(visible.sorted())")
            return 1
        case ("post", "/api/v1/tickets"):
            let uai = api.template.account("requester").organizationCode
            let mayOpen = !["partner_viewer", "contractor_agent"].contains(role)
            let response = try await api.call(.post, path, as: role, body: #"{"kind":"request","title":"Matrix","establishment":"\#(uai)"}"#)
            #expect(response.status == (mayOpen ? .created : .forbidden), "\(role) opening a ticket: \(response.status)")
            let withTeam = try await api.call(.post, path, as: role, body: #"{"kind":"incident","title":"Matrix","team_id":1,"establishment":"\#(uai)"}"#)
            #expect(withTeam.status == (mayOpen ? .unprocessableContent : .forbidden), "\(role) setting the team: \(withTeam.status)")
            return 2
        case ("get", "/api/v1/tickets/{id}"), ("get", "/api/v1/tickets/{id}/history"), ("get", "/api/v1/tickets/{id}/sla"):
            return try await onEachTicket(fixture, path, as: role, api: api) { name, _ in
                (.get, nil, [:], visible.contains(name) ? .ok : .notFound)
            }
        case ("post", "/api/v1/tickets/{id}/comments"):
            return try await onEachTicket(fixture, path, as: role, api: api) { name, _ in
                (.post, #"{"body":"Matrix"}"#, [:], !canWrite ? .forbidden : visible.contains(name) ? .created : .notFound)
            }
        case ("post", "/api/v1/tickets/{id}/actions/{action}"):
            let mayTake = staff.contains(role) || role == "contractor_agent"
            return try await onEachTicket(fixture, path.replacingOccurrences(of: "{action}", with: "take"), as: role, api: api) { name, ticket in
                // allowed on a visible ticket: whatever the lifecycle says, but never 404 nor 403
                (.post, "{}", [.ifMatch: "\"\(ticket.version)\""], !mayTake ? .forbidden : visible.contains(name) ? nil : .notFound)
            }
        case ("post", "/api/v1/session"):
            // public: a token is not a password, and a wrong password is refused for everyone alike
            let response = try await api.call(.post, path, as: role, body: #"{"login":"demo.requester","password":"wrong password"}"#)
            #expect(response.status == .unauthorized || response.status == .tooManyRequests, "\(role): \(response.status)")
            return 1
        case ("post", "/api/v1/password-reset"):
            // public, and the same answer for every caller and every login
            #expect(try await api.call(.post, path, as: role, body: #"{"login":"nobody.here"}"#).status == .accepted)
            return 1
        case ("post", "/api/v1/password-reset/complete"):
            let response = try await api.call(.post, path, as: role, body: #"{"token":"gch_forged","password":"a long enough password"}"#)
            #expect(response.status == .unprocessableContent)
            return 1
        case ("get", "/auth/cas/login"), ("get", "/auth/cas/callback"):
            // no CAS server in this harness (CASTests has one): nobody signs in this way, token or not
            #expect(try await api.call(.get, path + "?ticket=ST-1", as: role).status == .notFound)
            return 1
        case ("get", "/api/v1/session"):
            #expect(try await api.call(.get, path, as: role).status == .ok)
            return 1
        case ("delete", "/api/v1/session"):
            #expect(try await api.call(.delete, path, as: role).status == .badRequest, "a token has no session to end")
            return 1
        case ("post", "/api/v1/inbound/email"), ("get", "/api/v1/webhooks"), ("post", "/api/v1/webhooks"), ("delete", "/api/v1/webhooks/{id}"),
            ("get", "/api/v1/audit"):
            let response = try await api.call(
                HTTPRequest.Method(method.uppercased())!, path.replacingOccurrences(of: "{id}", with: "999999"), as: role, body: method == "get" ? nil : "{}"
            )
            if isAdmin {
                #expect(response.status != .forbidden && response.status.code < 500, "administrator on \(method) \(path): \(response.status)")
            } else {
                #expect(response.status == .forbidden, "\(role) on \(method) \(path): \(response.status)")
            }
            return 1
        case ("get", "/api/v1/cis"):
            var seen: Set<Int64> = []
            var cursor: String?
            repeat {
                let page = try await api.call(.get, "/api/v1/cis?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), as: role)
                #expect(page.status == .ok)
                let decoded = try page.decode(CIPage.self)
                seen.formUnion(decoded.items.map(\.id))
                cursor = decoded.nextCursor
            } while cursor != nil
            let names = Dictionary(uniqueKeysWithValues: fixture.cis.map { ($0.value, $0.key) })
            let listed = Set(seen.compactMap { names[$0] })
            #expect(listed == fixture.visibleCIs[role] ?? [], "\(role) lists the CIs \(listed.sorted())")
            return 1
        case ("get", "/api/v1/cis/export"):
            let response = try await api.call(.get, path + "?q=Matrix%20CI", as: role)
            #expect(response.status == .ok, "\(role) exporting the fleet: \(response.status)")
            let rows = try InventoryFile.rows(of: String(buffer: response.body), format: .csv).rows
            let keys = Dictionary(uniqueKeysWithValues: fixture.cis.keys.map { ("Matrix CI \($0)", $0) })
            let exported = Set(rows.compactMap { $0.values["name"].flatMap { keys[$0] } })
            #expect(exported == fixture.visibleCIs[role] ?? [], "\(role) exports the CIs \(exported.sorted())")
            return 1
        case ("post", "/api/v1/cis"):
            let uai = api.template.account("requester").organizationCode
            let response = try await api.call(.post, path, as: role, body: #"{"class":"printer","name":"Matrix printer \#(role)","establishment":"\#(uai)"}"#)
            #expect(response.status == (staff.contains(role) ? .created : .forbidden), "\(role) creating a CI: \(response.status)")
            return 1
        case ("get", "/api/v1/cis/{id}"), ("get", "/api/v1/cis/{id}/impact"), ("get", "/api/v1/cis/{id}/tickets"):
            return try await onEachCI(fixture, path, as: role, api: api) { name in (.get, nil, [:], fixture.visibleCIs[role]?.contains(name) == true ? .ok : .notFound) }
        case ("patch", "/api/v1/cis/{id}"):
            return try await onEachCI(fixture, path, as: role, api: api) { name in
                let version = try await api.call(.get, "/api/v1/cis/\(fixture.cis[name] ?? 0)", as: "agent").decode(CIView.self).version
                return (.patch, #"{"room":"Matrix"}"#, [.ifMatch: "\"\(version)\""], staff.contains(role) ? .ok : .forbidden)
            }
        case ("post", "/api/v1/tickets/{id}/cis"):
            let ci = fixture.cis["datacentre"] ?? 0
            return try await onEachTicket(fixture, path, as: role, api: api) { name, _ in
                (.post, #"{"ci_id":\#(ci)}"#, [:], !staff.contains(role) ? .forbidden : visible.contains(name) ? .created : .notFound)
            }
        case ("delete", "/api/v1/tickets/{id}/cis/{ci}"):
            let ci = fixture.cis["datacentre"] ?? 0
            for ticket in fixture.tickets.values {
                try await api.call(.post, "/api/v1/tickets/\(ticket.id)/cis", as: "agent", body: #"{"ci_id":\#(ci)}"#)
            }
            return try await onEachTicket(fixture, path.replacingOccurrences(of: "{ci}", with: "\(ci)"), as: role, api: api) { name, _ in
                (.delete, nil, [:], !staff.contains(role) ? .forbidden : visible.contains(name) ? .noContent : .notFound)
            }
        case ("post", "/api/v1/cis/imports"):
            let response = try await api.call(
                .post, path + "?source=matrix", as: role, body: "external_id,class,name\nm-\(role),desktop,Matrix import \(role)\n",
                headers: [.contentType: "text/csv"]
            )
            #expect(response.status == (isAdmin ? .accepted : .forbidden), "\(role) handing over an inventory: \(response.status)")
            return 1
        case ("get", "/api/v1/cis/imports/{id}"):
            let submitted = try await api.call(
                .post, "/api/v1/cis/imports?source=matrix", as: "administrator", body: "external_id,class,name\nm-1,desktop,Matrix import\n",
                headers: [.contentType: "text/csv"]
            ).decode(CIImportView.self)
            let response = try await api.call(.get, path.replacingOccurrences(of: "{id}", with: "\(submitted.id)"), as: role)
            #expect(response.status == (staff.contains(role) ? .ok : .notFound), "\(role) reading an import: \(response.status)")
            return 1
        case ("get", "/api/v1/alerts"):
            let response = try await api.call(.get, path, as: role)
            #expect(response.status == (staff.contains(role) ? .ok : .forbidden), "\(role) searching alerts: \(response.status)")
            if role == roles.last {
                #expect(try await api.call(.get, path, as: "monitoring").status == .forbidden, "a monitoring token sends, it does not read")
            }
            return 1
        case ("get", "/api/v1/status"):
            let response = try await api.call(.get, path, as: role)
            #expect(response.status == .ok, "\(role) reading the status board: \(response.status)")
            let shown = Set(try response.decode(StatusBoardView.self).establishments.compactMap(\.code))
            let code = { (name: String) in fixture.tickets[name]?.establishment.code ?? "" }
            switch role {
            case "requester", "local_correspondent": #expect(shown == [code("requester's")], "\(role) sees its establishment only: \(shown)")
            case "contractor_agent": #expect(shown == [code("escalated")], "the contractor sees what its escalations concern: \(shown)")
            case "partner_viewer": #expect(shown.contains(code("lycée's")) && !shown.contains(code("CFA's")), "the partner sees its perimeter")
            default: #expect(shown.isSuperset(of: fixture.tickets.keys.map(code)), "\(role) sees every establishment")
            }
            if role == roles.last {
                #expect(try await api.call(.get, path, as: "monitoring").status == .forbidden, "a monitoring token sends, it does not read")
            }
            return 1
        case ("get", "/api/v1/maintenance"), ("post", "/api/v1/maintenance"), ("delete", "/api/v1/maintenance/{id}"):
            // each role meets a window on the CFA's CI, outside the requester's and the partner's perimeter
            let start = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let end = Date().addingTimeInterval(7_200).formatted(.iso8601)
            let body = #"{"ci":"\#(fixture.cis["CFA's"] ?? 0)","starts_at":"\#(start)","ends_at":"\#(end)","reason":"Matrix"}"#
            let declared = try await api.call(.post, "/api/v1/maintenance", as: "agent", body: body)
            #expect(declared.status == .created, "\(declared.text)")
            let window = try declared.decode(MaintenanceView.self)
            switch method {
            case "get":
                let response = try await api.call(.get, path, as: role)
                #expect(response.status == .ok, "\(role) listing maintenance: \(response.status)")
                let listed = try response.decode([String: [MaintenanceView]].self)["items"]?.contains { $0.id == window.id } == true
                // as on the status board: a contractor sees the establishments of its escalations (the escalated ticket is the CFA's)
                let establishment = { (name: String) in fixture.tickets[name]?.establishment.id }
                let expected = staff.contains(role) || (role == "contractor_agent" && establishment("escalated") == establishment("CFA's"))
                #expect(listed == expected, "\(role) sees the CFA's maintenance: \(listed)")
            case "post":
                let response = try await api.call(.post, path, as: role, body: body)
                #expect(response.status == (staff.contains(role) ? .created : .forbidden), "\(role) declaring maintenance: \(response.status)")
            default:
                let response = try await api.call(.delete, "/api/v1/maintenance/\(window.id)", as: role)
                #expect(response.status == (staff.contains(role) ? .noContent : .forbidden), "\(role) cancelling maintenance: \(response.status)")
            }
            if role == roles.last {
                #expect(try await api.call(.get, "/api/v1/maintenance", as: "monitoring").status == .forbidden, "a monitoring token sends, it does not read")
            }
            return 1
        case ("post", "/api/v1/tickets/{id}/merge"), ("post", "/api/v1/tickets/{id}/split"):
            // fresh incidents of the requester's, so that the fixture's stay as they are
            let source = try await api.open()
            if path.hasSuffix("/merge") {
                let target = try await api.open()
                let response = try await api.call(.post, "/api/v1/tickets/\(source.id)/merge", as: role, body: #"{"into":"\#(target.ref)"}"#)
                #expect(response.status == (staff.contains(role) ? .ok : .forbidden), "\(role) merging incidents: \(response.status) \(response.text)")
            } else {
                let response = try await api.call(.post, "/api/v1/tickets/\(source.id)/split", as: role, body: #"{"alerts":[1]}"#)
                #expect(response.status == (staff.contains(role) ? .unprocessableContent : .forbidden), "\(role) splitting an incident: \(response.status)")
            }
            return 1
        case ("get", "/api/v1/tickets/{id}/alerts"):
            return try await onEachTicket(fixture, path, as: role, api: api) { name, _ in
                (.get, nil, [:], !staff.contains(role) ? .forbidden : visible.contains(name) ? .ok : .notFound)
            }
        case ("post", "/api/v1/alerts"), ("post", "/api/v1/alerts/alertmanager"), ("post", "/api/v1/alerts/nagios"):
            let body =
                switch path {
                case "/api/v1/alerts/alertmanager":
                    #"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"Matrix"},"startsAt":"2026-12-03T10:00:00Z","fingerprint":"m1"}]}"#
                case "/api/v1/alerts/nagios": #"{"type":"PROBLEM","host":"matrix","state":"DOWN","state_type":"HARD","problem_id":"1"}"#
                default: #"{"source":"matrix","key":"m1","status":"firing","summary":"Matrix"}"#
                }
            let response = try await api.call(.post, path, as: role, body: body, headers: [.contentType: "application/json"])
            #expect(response.status == (isAdmin ? .accepted : .forbidden), "\(role) sending an alert: \(response.status)")
            if role == roles.last {
                let monitoring = try await api.call(.post, path, as: "monitoring", body: body, headers: [.contentType: "application/json"])
                #expect(monitoring.status == .accepted, "the monitoring source sending an alert: \(monitoring.status)")
            }
            return 1
        default:
            Issue.record("the access matrix has no expectation for \(method) \(path): add one")
            return 0
        }
    }

    /// Calls `path` on each fixture ticket; `expectation` gives the method, body, headers and the
    /// status expected (`nil`: anything but 403, 404 and 5xx). A refusal must not show the ticket.
    static func onEachTicket(
        _ fixture: Fixture, _ path: String, as role: String, api: APIHarness,
        expectation: (String, TicketView) -> (HTTPRequest.Method, String?, HTTPFields, HTTPResponse.Status?)
    ) async throws -> Int {
        for (name, ticket) in fixture.tickets.sorted(by: { $0.key < $1.key }) {
            let (method, body, headers, expected) = expectation(name, ticket)
            let response = try await api.call(method, path.replacingOccurrences(of: "{id}", with: "\(ticket.id)"), as: role, body: body, headers: headers)
            if let expected {
                #expect(response.status == expected, "\(role) \(method) \(path) on \(name): \(response.status) \(response.text)")
            } else {
                #expect(![.forbidden, .notFound].contains(response.status) && response.status.code < 500, "\(role) \(method) \(path) on \(name): \(response.status)")
            }
            if response.status == .notFound || response.status == .forbidden {
                #expect(!response.text.contains(ticket.ref) && !response.text.contains(ticket.title), "a refusal shows the ticket: \(response.text)")
            }
        }
        return fixture.tickets.count
    }

    /// Calls `path` on each fixture CI, expecting the status `expectation` gives; a refusal must not
    /// name the CI.
    static func onEachCI(
        _ fixture: Fixture, _ path: String, as role: String, api: APIHarness,
        expectation: (String) async throws -> (HTTPRequest.Method, String?, HTTPFields, HTTPResponse.Status)
    ) async throws -> Int {
        for (name, id) in fixture.cis.sorted(by: { $0.key < $1.key }) {
            let (method, body, headers, expected) = try await expectation(name)
            let response = try await api.call(method, path.replacingOccurrences(of: "{id}", with: "\(id)"), as: role, body: body, headers: headers)
            #expect(response.status == expected, "\(role) \(method) \(path) on the CI \(name): \(response.status) \(response.text)")
            if response.status == .notFound || response.status == .forbidden {
                #expect(!response.text.contains("Matrix CI"), "a refusal names the CI: \(response.text)")
            }
        }
        return fixture.cis.count
    }

    /// Five tickets: the requester's, the correspondent's (same establishment), one of a lycée and
    /// one of a CFA opened by phone, and one of a CFA escalated to the contractor.
    static func fixture(_ api: APIHarness) async throws -> Fixture {
        var fixture = Fixture()
        fixture.tickets["requester's"] = try await api.open(as: "requester")
        fixture.tickets["correspondent's"] = try await api.open(as: "local_correspondent")
        let lyceePerson = try await person(api, type: "lycee")
        let cfaPerson = try await person(api, type: "cfa")
        let body = { (person: Int64, title: String) in #"{"kind":"incident","title":"\#(title)","requester_id":\#(person)}"# }
        fixture.tickets["lycée's"] = try await api.open(as: "agent", body: body(lyceePerson, "Vidéoprojecteur HS au lycée"))
        fixture.tickets["CFA's"] = try await api.open(as: "agent", body: body(cfaPerson, "Imprimante du CFA"))
        var escalated = try await api.open(as: "agent", body: body(cfaPerson, "Baie de brassage du CFA"))
        let desk = try await teamID(api, code: "SD")
        let contractorTeam = try await teamID(api, code: "PRESTA")
        escalated = try await api.act("assign", on: escalated, body: #"{"team_id":\#(desk)}"#).decode(TicketView.self)
        escalated = try await api.act("take", on: escalated).decode(TicketView.self)
        escalated = try await api.act("escalate", on: escalated, body: #"{"team_id":\#(contractorTeam),"reason":"Câblage"}"#).decode(TicketView.self)
        fixture.tickets["escalated"] = escalated

        let all = Set(fixture.tickets.keys)
        let types = try await establishmentTypes(api, of: fixture.tickets)
        fixture.visible = [
            "requester": ["requester's"],
            "local_correspondent": ["requester's", "correspondent's"],
            "agent": all, "team_lead": all, "administrator": all,
            "partner_viewer": Set(all.filter { regionTypes.contains(types[$0] ?? "") }),
            "contractor_agent": ["escalated"],
        ]
        #expect(fixture.visible["partner_viewer"]?.contains("lycée's") == true)
        #expect(fixture.visible["partner_viewer"]?.contains("CFA's") == false)

        for (name, ticket) in [("requester's", "requester's"), ("lycée's", "lycée's"), ("CFA's", "CFA's"), ("escalated", "escalated")] {
            let establishment = try #require(fixture.tickets[ticket]).establishment.id
            fixture.cis[name] = try await ci(api, name: "Matrix CI \(name)", establishmentID: establishment)
        }
        fixture.cis["datacentre"] = try await ci(api, name: "Matrix CI datacentre", establishmentID: nil)
        let escalatedTicket = try #require(fixture.tickets["escalated"]).id
        try await api.database.client.query("INSERT INTO ticket_cis (ticket_id, ci_id) VALUES (\(escalatedTicket), \(fixture.cis["escalated"] ?? 0))")
        let allCIs = Set(fixture.cis.keys)
        fixture.visibleCIs = [
            "requester": ["requester's"], "local_correspondent": ["requester's"],
            "agent": allCIs, "team_lead": allCIs, "administrator": allCIs,
            "partner_viewer": Set(["requester's", "lycée's", "CFA's", "escalated"].filter { regionTypes.contains(types[$0] ?? "") }),
            "contractor_agent": ["escalated"],
        ]
        return fixture
    }

    static func ci(_ api: APIHarness, name: String, establishmentID: Int64?) async throws -> Int64 {
        let rows = try await api.database.client.query(
            "INSERT INTO cis (class, name, establishment_id) VALUES ('desktop', \(name), \(establishmentID)) RETURNING id"
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw MatrixError.missing("the CI \(name)")
    }

    static func person(_ api: APIHarness, type: String) async throws -> Int64 {
        let rows = try await api.database.client.query(
            """
            SELECT p.id FROM people p JOIN organizations o ON o.id = p.organization_id
            WHERE o.establishment_type = \(type) AND o.code <> \(api.template.account("requester").organizationCode) ORDER BY p.id LIMIT 1
            """
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw MatrixError.missing("a person of a \(type)")
    }

    static func teamID(_ api: APIHarness, code: String) async throws -> Int64 {
        let rows = try await api.database.client.query("SELECT id FROM teams WHERE code = \(code)")
        for try await id in rows.decode(Int64.self) { return id }
        throw MatrixError.missing("team \(code)")
    }

    static func establishmentTypes(_ api: APIHarness, of tickets: [String: TicketView]) async throws -> [String: String] {
        var types: [String: String] = [:]
        for (name, ticket) in tickets {
            let rows = try await api.database.client.query(
                "SELECT o.establishment_type FROM tickets t JOIN organizations o ON o.id = t.establishment_id WHERE t.id = \(ticket.id)"
            )
            for try await type in rows.decode(String.self) { types[name] = type }
        }
        return types
    }

    enum MatrixError: Error {
        case missing(String)
    }
}
