import Foundation
import GuichetDomain
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite("Monitoring alerts raise, join and close incidents", .serialized)
struct SupervisionTests {
    /// An Alertmanager webhook notification (payload version 4) of `alerts`, as its webhook sends it.
    static func alertmanager(_ alerts: [(fingerprint: String, status: String, labels: [String: String], startsAt: String, endsAt: String?)]) -> String {
        let items = alerts.map { alert in
            let labels = (["alertname": "NodeDown", "severity": "critical"].merging(alert.labels) { $1 })
                .sorted { $0.key < $1.key }.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",")
            return #"""
                {"status":"\#(alert.status)","labels":{\#(labels)},"annotations":{"summary":"Injoignable"},"startsAt":"\#(alert.startsAt)",
                 "endsAt":"\#(alert.endsAt ?? "0001-01-01T00:00:00Z")","generatorURL":"http://prometheus:9090/graph","fingerprint":"\#(alert.fingerprint)"}
                """#
        }
        let status = alerts.contains { $0.status == "firing" } ? "firing" : "resolved"
        return #"""
            {"version":"4","groupKey":"{}:{alertname=\"NodeDown\"}","truncatedAlerts":0,"status":"\#(status)","receiver":"guichet",
             "groupLabels":{"alertname":"NodeDown"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager:9093",
             "alerts":[\#(items.joined(separator: ","))]}
            """#
    }

    /// Sends a notification as the demo's monitoring source; it must be taken (202).
    @discardableResult
    static func send(_ api: APIHarness, _ path: String, _ body: String) async throws -> AlertService.Received {
        let response = try await api.call(.post, path, as: "monitoring", body: body, headers: [.contentType: "application/json"])
        #expect(response.status == .accepted, "\(response.text)")
        return try response.decode(AlertService.Received.self)
    }

    /// Waits until the notification has been processed; returns how many of its alerts changed something.
    static func processed(_ api: APIHarness, _ received: AlertService.Received) async throws -> Int? {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let rows = try await api.database.client.query("SELECT changed FROM alert_notifications WHERE id = \(received.id) AND processed_at IS NOT NULL")
            for try await changed in rows.decode(Int32.self) { return Int(changed) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// The monitoring incidents an agent sees, once `condition` holds for them (or 30 s passed).
    static func incidents(_ api: APIHarness, until condition: ([TicketView]) -> Bool) async throws -> [TicketView] {
        let deadline = ContinuousClock.now + .seconds(30)
        var page = try await api.call(.get, "/api/v1/tickets?origin=monitoring", as: "agent").decode(TicketPage.self)
        while !condition(page.items) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            page = try await api.call(.get, "/api/v1/tickets?origin=monitoring", as: "agent").decode(TicketPage.self)
        }
        return page.items
    }

    @Test("a router down opens one P1 incident for its establishment; its switch and a PC behind it join it; replays change nothing; recovery resolves it, a new firing reopens it")
    func outage() async throws {
        try await withAPI(worker: true, pollInterval: .milliseconds(250)) { api async throws in
            let uai = api.template.account("requester").organizationCode
            let at = #""establishment":"\#(uai)""#
            let router = try await CMDBTests.create(api, #""class":"router","name":"RTR-SUP-01","ip":"10.77.0.1",\#(at)"#)
            _ = try await CMDBTests.create(api, #""class":"core_switch","name":"CORE-SUP-01",\#(at),"connected_to":"RTR-SUP-01""#)
            let access = try await CMDBTests.create(api, #""class":"access_switch","name":"SW-SUP-01","ip":"10.77.0.3",\#(at),"connected_to":"CORE-SUP-01""#)
            let pc = try await CMDBTests.create(api, #""class":"desktop","name":"PC-SUP-01",\#(at),"connected_to":"SW-SUP-01""#)
            let routerDown = (fingerprint: "f-rtr", status: "firing", labels: ["instance": "rtr-sup-01:9100"], startsAt: "2026-12-03T10:31:00Z", endsAt: String?.none)

            let first = try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([routerDown]))
            #expect(first.alerts == 1)
            var incidents = try await Self.incidents(api) { $0.first?.status == .inProgress }
            let incident = try #require(incidents.first)
            #expect(incidents.count == 1)
            #expect(incident.priority == "P1" && incident.impact == 1 && incident.urgency == 1, "\(incident.priority)")
            #expect(incident.title.hasPrefix("Réseau coupé : ") && incident.establishment.code == uai, "\(incident.title)")
            #expect(incident.origin == .monitoring && incident.requester.id == api.template.account("monitoring").personId)

            // Alertmanager repeats the group with the switch now down too (found by its address), then a PC behind it
            let switchDown = (fingerprint: "f-sw", status: "firing", labels: ["instance": "10.77.0.3:9100"], startsAt: "2026-12-03T10:31:05Z", endsAt: String?.none)
            #expect(try await Self.processed(api, try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([routerDown, switchDown]))) == 1)
            let pcDown = (fingerprint: "f-pc", status: "firing", labels: ["hostname": "pc-sup-01.lycee.local"], startsAt: "2026-12-03T10:31:09Z", endsAt: String?.none)
            #expect(try await Self.processed(api, try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([pcDown]))) == 1)
            #expect(try await Self.processed(api, try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([routerDown, switchDown]))) == 0, "a replay changes nothing")
            incidents = try await Self.incidents(api) { _ in true }
            #expect(incidents.map(\.id) == [incident.id], "one incident for the whole outage")
            let joined = try await api.ticket(incident.id, as: "agent")
            #expect(Set(joined.cis?.map(\.id) ?? []) == [router.id, access.id, pc.id])

            let recovered = [routerDown, switchDown, pcDown].map { (fingerprint: $0.fingerprint, status: "resolved", labels: $0.labels, startsAt: $0.startsAt, endsAt: String?.some("2026-12-03T10:52:00Z")) }
            try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager(Array(recovered.prefix(2))))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await api.ticket(incident.id, as: "agent").status == .inProgress, "the PC's alert still fires")
            try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager(Array(recovered.suffix(1))))
            let resolved = try await Self.incidents(api) { $0.first?.status == .resolved }.first
            #expect(resolved?.status == .resolved && resolved?.resolution?.code == "recovered", "\(String(describing: resolved?.resolution))")

            let timeline = try await api.call(.get, "/api/v1/tickets/\(incident.id)/alerts", as: "agent").decode([String: [AlertView]].self)["items"] ?? []
            #expect(timeline.map(\.key).sorted() == ["f-pc", "f-rtr", "f-sw"] && timeline.allSatisfy { $0.status == .resolved })
            let routerTimeline = try #require(timeline.first { $0.key == "f-rtr" })
            #expect(routerTimeline.events?.map(\.status) == ["firing", "resolved"] && routerTimeline.notifications == 4 && routerTimeline.ci?.id == router.id)
            let found = try await api.call(.get, "/api/v1/alerts?q=rtr-sup&status=resolved", as: "agent").decode(AlertPage.self)
            #expect(found.items.map(\.key) == ["f-rtr"] && found.items.first?.ticket?.id == incident.id, "found by its CI's name")
            #expect(try await api.call(.get, "/api/v1/tickets/\(incident.id)/alerts", as: "requester").status == .forbidden)

            let again = (fingerprint: "f-rtr", status: "firing", labels: routerDown.labels, startsAt: "2026-12-03T10:55:00Z", endsAt: String?.none)
            try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([again]))
            incidents = try await Self.incidents(api) { $0.first?.status == .inProgress }
            #expect(incidents.map(\.id) == [incident.id] && incidents.first?.status == .inProgress, "fired again within the hold-down: reopened")
        }
    }

    /// The status board as `role` reads it.
    static func board(_ api: APIHarness, as role: String) async throws -> StatusBoardView {
        let response = try await api.call(.get, "/api/v1/status", as: role)
        #expect(response.status == .ok, "\(response.text)")
        return try response.decode(StatusBoardView.self)
    }

    @Test("the status board: a region-wide service degraded by its server's alert, an establishment down with its router, each with its incident and since when; up again after the recovery; the monitoring source is never mailed")
    func statusBoard() async throws {
        try await withAPI(worker: true, pollInterval: .milliseconds(250)) { api async throws in
            let uai = api.template.account("requester").organizationCode
            _ = try await CMDBTests.create(api, #""class":"server","name":"SRV-ENT-01""#)
            let service = try await CMDBTests.create(api, #""class":"business_service","name":"ENT régional","runs_on":"SRV-ENT-01""#)
            _ = try await CMDBTests.create(api, #""class":"router","name":"RTR-BRD-01","establishment":"\#(uai)""#)
            let line = { (board: StatusBoardView, name: String) in board.services.first { $0.name == name } ?? board.establishments.first { $0.code == name } }
            var board = try await Self.board(api, as: "requester")
            #expect(line(board, service.name)?.state == .up && line(board, uai)?.state == .up, "\(board)")
            #expect(board.establishments.map(\.code) == [uai], "a requester sees their establishment and the region's services")

            let server = #"{"source":"zabbix","key":"srv-ent-01:ping","status":"%@","severity":"critical","ci":"SRV-ENT-01","summary":"Serveur injoignable","starts_at":"2026-12-03T08:15:00Z","ends_at":"2026-12-03T08:40:00Z"}"#
            try await Self.send(api, "/api/v1/alerts", server.replacingOccurrences(of: "%@", with: "firing"))
            let router = (fingerprint: "f-brd", status: "firing", labels: ["instance": "RTR-BRD-01"], startsAt: "2026-12-03T08:20:00Z", endsAt: String?.none)
            try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([router]))
            let opened = try await Self.incidents(api) { $0.count == 2 && $0.allSatisfy { $0.status == .inProgress } }
            #expect(opened.count == 2)

            board = try await Self.board(api, as: "requester")
            let ent = try #require(line(board, service.name))
            #expect(ent.state == .degraded && ent.since == ISO8601DateFormatter().date(from: "2026-12-03T08:15:00Z"), "\(ent)")
            #expect(ent.incidents.map(\.summary) == ["Serveur injoignable — SRV-ENT-01"], "\(ent.incidents)")
            let school = try #require(line(board, uai))
            #expect(school.state == .down && school.since == ISO8601DateFormatter().date(from: "2026-12-03T08:20:00Z"), "\(school)")
            #expect(school.incidents.count == 1 && school.incidents.first?.summary.hasPrefix("Réseau coupé : ") == true && school.incidents.first?.priority == 1)
            #expect(board.services.first?.name == service.name, "region-wide services first")

            var browser = WebBrowser(api)
            try await browser.signIn("requester")
            let page = try await browser.get("/status")
            #expect(page.status == .ok && page.text.contains(#"<span class="state state-down">Interrompu</span>"#)
                && page.text.contains(#"<span class="state state-degraded">Dégradé</span>"#) && page.text.contains("Réseau coupé : "), "\(page.text.prefix(300))")
            #expect(!page.text.contains("href=\"/tickets/"), "a requester reads the incidents, without links to tickets they may not open")
            let form = try await browser.get("/requests/new?service=\(try await WebPortalTests.serviceID(api, code: "imprimante"))")
            #expect(form.text.contains("Incident connu") && form.text.contains("Serveur injoignable — SRV-ENT-01"), "the request form tells of the known incidents")
            var agent = WebBrowser(api)
            try await agent.signIn("agent")
            let incidentPage = try await agent.get("/tickets/\(try #require(school.incidents.first).ref)")
            #expect(incidentPage.text.contains("Alertes de la supervision") && incidentPage.text.contains("f-brd") && incidentPage.text.contains("RTR-BRD-01"))

            try await Self.send(api, "/api/v1/alerts", server.replacingOccurrences(of: "%@", with: "resolved"))
            try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([(router.fingerprint, "resolved", router.labels, router.startsAt, "2026-12-03T08:41:00Z")]))
            _ = try await Self.incidents(api) { $0.count == 2 && $0.allSatisfy { $0.status == .resolved } }
            #expect(!(try await browser.get("/requests/new?service=\(try await WebPortalTests.serviceID(api, code: "imprimante"))").text.contains("Incident connu")))
            board = try await Self.board(api, as: "agent")
            #expect(line(board, service.name)?.state == .up && line(board, uai)?.state == .up && line(board, uai)?.incidents.isEmpty == true)

            let mailed = try await api.database.client.query(
                "SELECT count(*)::bigint FROM notifications WHERE person_id = \(api.template.account("monitoring").personId)"
            )
            for try await count in mailed.decode(Int64.self) { #expect(count == 0, "nothing is mailed to a monitoring source") }
        }
    }

    @Test("maintenance: a window declared on an establishment holds back its router's incident, shows on the board, and once cancelled the incident opens; a Nagios downtime does the same until its end; bad windows are refused field by field")
    func maintenance() async throws {
        try await withAPI(worker: true, pollInterval: .milliseconds(250)) { api async throws in
            let uai = api.template.account("requester").organizationCode
            _ = try await CMDBTests.create(api, #""class":"router","name":"RTR-MNT-01","establishment":"\#(uai)""#)
            let now = Date()
            let window = #"{"establishment":"\#(uai)","starts_at":"\#(now.addingTimeInterval(-60).formatted(.iso8601))","ends_at":"\#(now.addingTimeInterval(3_600).formatted(.iso8601))","reason":"Remplacement du routeur"}"#
            #expect(try await api.call(.post, "/api/v1/maintenance", as: "requester", body: window).status == .forbidden)
            let declared = try await api.call(.post, "/api/v1/maintenance", as: "agent", body: window)
            #expect(declared.status == .created, "\(declared.text)")
            let held = try declared.decode(MaintenanceView.self)
            #expect(held.establishment?.code == uai && held.source == "guichet" && held.endsAt != nil)

            let router = (fingerprint: "f-mnt", status: "firing", labels: ["instance": "RTR-MNT-01"], startsAt: "2026-12-03T14:00:00Z", endsAt: String?.none)
            #expect(try await Self.processed(api, try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([router]))) == 1)
            #expect(try await Self.incidents(api) { _ in true }.isEmpty, "no incident during the maintenance")
            let board = try await Self.board(api, as: "requester")
            #expect(board.establishments.first?.maintenance.map(\.reason) == ["Remplacement du routeur"], "the board shows the maintenance")
            var browser = WebBrowser(api)
            try await browser.signIn("requester")
            #expect(try await browser.get("/status").text.contains("Maintenance en cours"))

            #expect(try await api.call(.delete, "/api/v1/maintenance/\(held.id)", as: "agent").status == .noContent)
            #expect(try await api.call(.delete, "/api/v1/maintenance/\(held.id)", as: "agent").status == .conflict, "cancelled once")
            let opened = try await Self.incidents(api) { $0.count == 1 }
            #expect(opened.count == 1 && opened.first?.priority == "P1", "cancelled: the router's incident opens")

            // a downtime set in Nagios on a server, then a problem on it, then the downtime's end
            _ = try await CMDBTests.create(api, #""class":"server","name":"SRV-DT-01""#)
            let epoch = Int(now.timeIntervalSince1970)
            let nagios = { (fields: String) in try await Self.processed(api, try await Self.send(api, "/api/v1/alerts/nagios", fields)) }
            #expect(try await nagios(#"{"type":"DOWNTIMESTART","host":"SRV-DT-01","state":"UP","author":"admin","comment":"Mise à jour du noyau","time":"\#(epoch - 300)"}"#) == 1)
            #expect(try await nagios(#"{"type":"DOWNTIMESTART","host":"SRV-DT-01","state":"UP","author":"admin","time":"\#(epoch - 300)"}"#) == 0, "once")
            let listed = try await api.call(.get, "/api/v1/maintenance", as: "agent").decode([String: [MaintenanceView]].self)["items"] ?? []
            #expect(listed.contains { $0.ci?.name == "SRV-DT-01" && $0.source == "nagios" && $0.endsAt == nil && $0.reason.contains("Mise à jour du noyau") })
            #expect(try await nagios(#"{"type":"PROBLEM","host":"SRV-DT-01","state":"DOWN","state_type":"HARD","problem_id":"77","time":"\#(epoch - 200)"}"#) == 1)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await Self.incidents(api) { _ in true }.count == 1, "held back by the downtime")
            #expect(try await nagios(#"{"type":"DOWNTIMEEND","host":"SRV-DT-01","state":"DOWN","time":"\#(epoch)"}"#) == 1)
            let after = try await Self.incidents(api) { $0.count == 2 }
            #expect(after.count == 2 && after.contains { $0.title.contains("SRV-DT-01") }, "the downtime over, the server's incident opens")

            let bad = try await api.call(
                .post, "/api/v1/maintenance", as: "agent",
                body: #"{"ci":"SRV-DT-01","establishment":"\#(uai)","starts_at":"2026-12-03T10:00:00Z","ends_at":"2026-12-03T09:00:00Z","reason":" "}"#
            )
            #expect(bad.status == .unprocessableContent)
            for field in ["ci", "ends_at", "reason"] { #expect(bad.text.contains(#""\#(field)""#), "\(field): \(bad.text)") }
            let unknown = #"{"ci":"NOPE-404","starts_at":"\#(now.formatted(.iso8601))","ends_at":"\#(now.addingTimeInterval(600).formatted(.iso8601))","reason":"x"}"#
            let refused = try await api.call(.post, "/api/v1/maintenance", as: "agent", body: unknown)
            #expect(refused.status == .unprocessableContent && refused.text.contains("NOPE-404"), "\(refused.text)")
        }
    }

    @Test("flapping: a service that fails and recovers six times in a few minutes marks its incident, which stays open until the alert settles; then it follows the alert again")
    func flapping() async throws {
        try await withAPI(worker: true, pollInterval: .milliseconds(250)) { api async throws in
            _ = try await CMDBTests.create(api, #""class":"server","name":"SRV-FLAP-01""#)
            let epoch = Int(Date().timeIntervalSince1970)
            let nagios = { (fields: String) in try await Self.processed(api, try await Self.send(api, "/api/v1/alerts/nagios", fields)) }
            let problem = { (id: Int) in
                #"{"type":"PROBLEM","host":"SRV-FLAP-01","service":"HTTP","state":"CRITICAL","state_type":"HARD","problem_id":"\#(id)","output":"délai dépassé","time":"\#(epoch + id)"}"#
            }
            let recovery = { (id: Int) in
                #"{"type":"RECOVERY","host":"SRV-FLAP-01","service":"HTTP","state":"OK","state_type":"HARD","problem_id":"0","last_problem_id":"\#(id)","time":"\#(epoch + id)"}"#
            }
            for id in 1...3 {
                #expect(try await nagios(problem(id)) == 1)
                #expect(try await nagios(recovery(id)) == 1)
            }
            let incidents = try await Self.incidents(api) { _ in true }
            let incident = try #require(incidents.first)
            #expect(incidents.count == 1, "one incident, reopened each time")
            #expect(try await api.ticket(incident.id, as: "agent").status != .resolved, "the sixth change marks it flapping: not resolved")
            let alerts = { try await api.call(.get, "/api/v1/tickets/\(incident.id)/alerts", as: "agent").decode([String: [AlertView]].self)["items"] ?? [] }
            #expect(try await alerts().first?.flappingSince != nil)
            let notes = { try await api.call(.get, "/api/v1/tickets/\(incident.id)/history", as: "agent").decode(HistoryPage.self).items.compactMap(\.note) }
            let written = try await notes()
            #expect(written.contains { $0.hasPrefix("Alerte instable (6 changements d'état en 30 minutes)") }, "\(written)")

            #expect(try await nagios(problem(4)) == 1)
            #expect(try await api.ticket(incident.id, as: "agent").status != .resolved)
            #expect(try await nagios(#"{"type":"FLAPPINGSTOP","host":"SRV-FLAP-01","service":"HTTP","state":"CRITICAL","time":"\#(epoch + 5)"}"#) == 1)
            let deadline = ContinuousClock.now + .seconds(30)
            while try await alerts().first?.flappingSince != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await alerts().first?.flappingSince == nil, "settled once Nagios says the flapping stopped")
            #expect(try await notes().contains { $0.hasPrefix("Alerte stabilisée, toujours en alerte") })
            #expect(try await nagios(recovery(4)) == 1)
            #expect(try await api.ticket(incident.id, as: "agent").status == .resolved, "settled, the recovery resolves it")
            #expect(try await Self.incidents(api) { _ in true }.count == 1)
        }
    }

    @Test("an agent merges one monitoring incident into another, alerts and equipment with it, and splits an alert off again into an incident of its own; what cannot be merged or split is refused saying why")
    func mergeAndSplit() async throws {
        try await withAPI(worker: true, pollInterval: .milliseconds(250)) { api async throws in
            let first = try await CMDBTests.create(api, #""class":"server","name":"SRV-MRG-01""#)
            let second = try await CMDBTests.create(api, #""class":"server","name":"SRV-MRG-02""#)
            for name in ["SRV-MRG-01", "SRV-MRG-02"] {
                try await Self.send(api, "/api/v1/alerts", #"{"source":"zabbix","key":"\#(name):disk","status":"firing","severity":"warning","ci":"\#(name)","summary":"Disque plein"}"#)
            }
            let opened = try await Self.incidents(api) { $0.count == 2 }
            let target = try #require(opened.first { $0.title.contains("SRV-MRG-01") })
            let source = try #require(opened.first { $0.title.contains("SRV-MRG-02") })
            let alerts = { (id: Int64) in try await api.call(.get, "/api/v1/tickets/\(id)/alerts", as: "agent").decode([String: [AlertView]].self)["items"] ?? [] }

            #expect(try await api.call(.post, "/api/v1/tickets/\(source.id)/merge", as: "requester", body: #"{"into":"\#(target.ref)"}"#).status == .forbidden)
            let itself = try await api.call(.post, "/api/v1/tickets/\(source.id)/merge", as: "agent", body: #"{"into":"\#(source.ref)"}"#)
            #expect(itself.status == .unprocessableContent && itself.text.contains(#""into""#), "\(itself.text)")
            let merged = try await api.call(.post, "/api/v1/tickets/\(source.id)/merge", as: "agent", body: #"{"into":"\#(target.ref)"}"#)
            #expect(merged.status == .ok, "\(merged.text)")
            #expect(Set(try merged.decode(TicketView.self).cis?.map(\.id) ?? []) == [first.id, second.id], "the equipment joins the incident merged into")
            #expect(Set(try await alerts(target.id).map(\.key)) == ["SRV-MRG-01:disk", "SRV-MRG-02:disk"])
            let resolved = try await api.ticket(source.id, as: "agent")
            #expect(resolved.status == .resolved && resolved.resolution?.code == "duplicate" && resolved.resolution?.solution.contains(target.ref) == true)
            let again = try await api.call(.post, "/api/v1/tickets/\(source.id)/merge", as: "agent", body: #"{"into":"\#(target.ref)"}"#)
            #expect(again.status == .conflict, "a resolved incident is not merged again: \(again.status)")

            let moving = try #require(try await alerts(target.id).first { $0.key == "SRV-MRG-02:disk" })
            let everything = try await alerts(target.id).map(\.id)
            let all = try await api.call(.post, "/api/v1/tickets/\(target.id)/split", as: "agent", body: #"{"alerts":\#(everything)}"#)
            #expect(all.status == .unprocessableContent && all.text.contains("stays"), "\(all.text)")
            let foreign = try await api.call(.post, "/api/v1/tickets/\(target.id)/split", as: "agent", body: #"{"alerts":[999999]}"#)
            #expect(foreign.status == .unprocessableContent && foreign.text.contains("999999"))
            let split = try await api.call(.post, "/api/v1/tickets/\(target.id)/split", as: "agent", body: #"{"alerts":[\#(moving.id)]}"#)
            #expect(split.status == .created, "\(split.text)")
            let apart = try split.decode(TicketView.self)
            #expect(apart.origin == .monitoring && apart.title.contains("SRV-MRG-02") && apart.cis?.map(\.id) == [second.id])
            let left = try await alerts(target.id)
            #expect(try await alerts(apart.id).map(\.id) == [moving.id] && left.map(\.key) == ["SRV-MRG-01:disk"])
            let notes = try await api.call(.get, "/api/v1/tickets/\(target.id)/history", as: "agent").decode(HistoryPage.self).items.compactMap(\.note)
            #expect(notes.contains { $0.contains(source.ref) && $0.contains("fusionné") } && notes.contains { $0.contains(apart.ref) })

            // the same from the incident's page
            var agent = WebBrowser(api)
            try await agent.signIn("agent")
            let page = try await agent.get("/tickets/\(apart.ref)")
            #expect(page.text.contains(#"id="merge-incident""#) && !page.text.contains(#"id="split-submit""#), "one alert: merged, not split")
            let unknown = try await agent.post("/tickets/\(apart.ref)/merge", ["into": "I-999999"])
            #expect(unknown.status == .unprocessableContent && unknown.text.contains("I-999999"), "\(unknown.status)")
            let done = try await agent.post("/tickets/\(apart.ref)/merge", ["into": target.ref])
            #expect(done.status == .seeOther && done.location == "/tickets/\(target.ref)?done=merged", "\(done.status) \(done.location ?? "")")
            #expect(try await agent.get("/tickets/\(target.ref)").text.contains(#"id="split-submit""#), "two alerts again: they may be split")
        }
    }

    @Test("the children of an outage arrive first, the router a moment later: one P1 incident, the router's, gathers them all")
    func childrenFirst() async throws {
        try await withAPI(worker: true, pollInterval: .milliseconds(250)) { api async throws in
            let uai = api.template.account("requester").organizationCode
            let at = #""establishment":"\#(uai)""#
            let router = try await CMDBTests.create(api, #""class":"router","name":"RTR-KID-01",\#(at)"#)
            _ = try await CMDBTests.create(api, #""class":"core_switch","name":"CORE-KID-01",\#(at),"connected_to":"RTR-KID-01""#)
            let first = try await CMDBTests.create(api, #""class":"access_switch","name":"SW-KID-01",\#(at),"connected_to":"CORE-KID-01""#)
            let second = try await CMDBTests.create(api, #""class":"access_point","name":"AP-KID-01",\#(at),"connected_to":"SW-KID-01""#)
            func down(_ fingerprint: String, _ host: String) -> (fingerprint: String, status: String, labels: [String: String], startsAt: String, endsAt: String?) {
                (fingerprint: fingerprint, status: "firing", labels: ["instance": host], startsAt: "2026-12-03T11:00:00Z", endsAt: nil)
            }
            try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([down("k-sw", "sw-kid-01"), down("k-ap", "ap-kid-01")]))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.incidents(api) { _ in true }.isEmpty, "an alert whose CI depends on others waits a moment for its cause")
            try await Self.send(api, "/api/v1/alerts/alertmanager", Self.alertmanager([down("k-rtr", "rtr-kid-01")]))
            let incidents = try await Self.incidents(api) { $0.first?.status == .inProgress }
            try await Task.sleep(for: .seconds(1.5))
            let after = try await Self.incidents(api) { _ in true }
            #expect(incidents.count == 1 && after.map(\.id) == incidents.map(\.id), "one incident: \(after.map(\.title))")
            let incident = try await api.ticket(try #require(incidents.first).id, as: "agent")
            #expect(incident.priority == "P1" && incident.title.hasPrefix("Réseau coupé"), "\(incident.title)")
            #expect(Set(incident.cis?.map(\.id) ?? []) == [router.id, first.id, second.id])
        }
    }

    @Test("Guichet's own alerts: an antivirus infection opens an incident naming the PC; once an agent has written, recovery leaves them a note; an unknown host still raises one")
    func ownFormat() async throws {
        try await withAPI(worker: true, pollInterval: .milliseconds(250)) { api async throws in
            let uai = api.template.account("requester").organizationCode
            let pc = try await CMDBTests.create(api, #""class":"desktop","name":"PC-AV-01","establishment":"\#(uai)""#)
            let infection = #"{"source":"antivirus","key":"infection:PC-AV-01","status":"%@","severity":"critical","ci":"PC-AV-01","summary":"Infection détectée : Trojan.Generic","starts_at":"2026-12-03T09:00:00Z"}"#
            try await Self.send(api, "/api/v1/alerts", infection.replacingOccurrences(of: "%@", with: "firing"))
            let listed = try #require(try await Self.incidents(api) { $0.first?.status == .inProgress }.first)
            let incident = try await api.ticket(listed.id, as: "agent")
            #expect(incident.cis?.map(\.id) == [pc.id] && incident.title == "Infection détectée : Trojan.Generic — PC-AV-01" && incident.impact == 3)

            let note = try await api.call(.post, "/api/v1/tickets/\(incident.id)/comments", as: "agent", body: #"{"body":"Je lance l'analyse complète.","visibility":"internal"}"#)
            #expect(note.status == .created, "\(note.text)")
            #expect(try await Self.processed(api, try await Self.send(api, "/api/v1/alerts", infection.replacingOccurrences(of: "%@", with: "resolved"))) == 1)
            let history = try await api.call(.get, "/api/v1/tickets/\(incident.id)/history", as: "agent").decode(HistoryPage.self)
            #expect(history.items.contains { $0.kind == "noted" && $0.isInternal && ($0.note ?? "").contains("rétablies") }, "the agent is told")
            #expect(try await api.ticket(incident.id, as: "agent").status == .inProgress, "and decides")

            try await Self.send(api, "/api/v1/alerts", #"{"source":"sauvegardes","key":"job:nuit","status":"firing","summary":"Sauvegarde en échec","host":"nas-inconnu"}"#)
            let unmappedID = try #require(try await Self.incidents(api) { $0.count == 2 }.first { $0.id != incident.id }?.id)
            let unmapped = try await api.ticket(unmappedID, as: "agent")
            #expect(unmapped.cis == [])
            #expect(unmapped.description.contains("Aucun équipement de la CMDB") && unmapped.description.contains("nas-inconnu"), "flagged: no CI")
        }
    }

    @Test("Nagios: a host down opens an incident once whoever is notified; a soft state does not; an acknowledgement is noted once; the recovery resolves it by its last problem id")
    func nagios() async throws {
        try await withAPI(worker: true, pollInterval: .milliseconds(250)) { api async throws in
            let uai = api.template.account("requester").organizationCode
            let server = try await CMDBTests.create(api, #""class":"server","name":"SRV-ENT-01","ip":"10.80.0.12","establishment":"\#(uai)""#)
            @discardableResult
            func notify(_ fields: [String: String]) async throws -> AlertService.Received {
                let body = fields.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.value)" }.joined(separator: "&")
                let response = try await api.call(
                    .post, "/api/v1/alerts/nagios", as: "monitoring", body: body, headers: [.contentType: "application/x-www-form-urlencoded"]
                )
                #expect(response.status == .accepted, "\(response.text)")
                return try response.decode(AlertService.Received.self)
            }
            let host = ["host": "srv-ent-01", "address": "10.80.0.12", "service": "", "output": "PING CRITICAL - Packet loss = 100%"]
            let soft = try await notify(host.merging(["type": "PROBLEM", "state": "DOWN", "state_type": "SOFT", "problem_id": "0", "time": "1764755400"]) { $1 })
            #expect(soft.alerts == 0, "a soft state is Nagios still checking")
            let down = host.merging(["type": "PROBLEM", "state": "DOWN", "state_type": "HARD", "problem_id": "412", "last_problem_id": "0"]) { $1 }
            try await notify(down.merging(["time": "1764755460"]) { $1 })
            let listed = try #require(try await Self.incidents(api) { $0.first?.status == .inProgress }.first)
            let incident = try await api.ticket(listed.id, as: "agent")
            #expect(incident.cis?.map(\.id) == [server.id] && incident.title.contains("srv-ent-01") && incident.impact == 2, "\(incident.title)")
            // notified again to another contact, a minute later: the same problem
            #expect(try await Self.processed(api, try await notify(down.merging(["time": "1764755520"]) { $1 })) == 0)

            let ack = host.merging(["type": "ACKNOWLEDGEMENT", "state": "DOWN", "problem_id": "412", "author": "nagiosadmin", "comment": "Redémarrage en cours"]) { $1 }
            #expect(try await Self.processed(api, try await notify(ack)) == 1)
            #expect(try await Self.processed(api, try await notify(ack)) == 0, "one note, however many contacts were notified")
            let history = try await api.call(.get, "/api/v1/tickets/\(incident.id)/history", as: "agent").decode(HistoryPage.self)
            #expect(history.items.filter { $0.kind == "noted" && ($0.note ?? "").contains("nagiosadmin : Redémarrage en cours") }.count == 1)

            try await notify(host.merging(["type": "RECOVERY", "state": "UP", "state_type": "HARD", "problem_id": "0", "last_problem_id": "412", "output": "PING OK"]) { $1 })
            let resolved = try await Self.incidents(api) { $0.first?.status == .resolved }
            #expect(resolved.map(\.id) == [incident.id] && resolved.first?.resolution?.code == "recovered")
            #expect(try await Self.incidents(api) { _ in true }.count == 1)
        }
    }

    @Test("a notification that cannot be read is refused saying why, one too large with 413; only a monitoring token or an administrator sends alerts, and that token nothing else")
    func refusals() async throws {
        try await withAPI { api async throws in
            func post(_ path: String, _ body: String, as role: String? = "monitoring", token: String? = nil) async throws -> TestResponse {
                try await api.call(.post, path, as: token == nil ? role : nil, token: token, body: body, headers: [.contentType: "application/json"])
            }
            let noKey = try await post("/api/v1/alerts", #"{"source":"antivirus","status":"firing","summary":"x"}"#)
            #expect(noKey.status == .badRequest && noKey.text.contains(#""field":"key""#), "\(noKey.text)")
            let badStatus = try await post("/api/v1/alerts", #"{"source":"antivirus","key":"k","status":"burning","summary":"x"}"#)
            #expect(badStatus.status == .badRequest && badStatus.text.contains(#""field":"status""#))
            let oldVersion = try await post("/api/v1/alerts/alertmanager", #"{"version":"3","alerts":[]}"#)
            #expect(oldVersion.status == .badRequest && oldVersion.text.contains(#""field":"version""#))
            let noFingerprint = try await post("/api/v1/alerts/alertmanager", #"{"version":"4","alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"2026-12-03T10:00:00Z"}]}"#)
            #expect(noFingerprint.status == .badRequest && noFingerprint.text.contains("alerts[0].fingerprint"))
            #expect(try await post("/api/v1/alerts", "not json").status == .badRequest)
            let nagiosType = try await post("/api/v1/alerts/nagios", #"{"type":"BROKEN","host":"srv"}"#)
            #expect(nagiosType.status == .badRequest && nagiosType.text.contains(#""field":"type""#))
            let nagiosState = try await post("/api/v1/alerts/nagios", #"{"type":"PROBLEM","host":"srv","service":"disk","state":"DOWN"}"#)
            #expect(nagiosState.status == .badRequest && nagiosState.text.contains(#""field":"state""#), "a service is not DOWN")
            #expect(try await post("/api/v1/alerts", String(repeating: " ", count: AlertService.maxBytes + 1)).status == .contentTooLarge)
            let stored = try await api.database.client.query("SELECT count(*)::bigint FROM alert_notifications")
            for try await count in stored.decode(Int64.self) { #expect(count == 0, "nothing refused is stored") }

            let valid = #"{"source":"antivirus","key":"k","status":"firing","summary":"x"}"#
            #expect(try await post("/api/v1/alerts", valid, token: "gch_unknown").status == .unauthorized)
            #expect(try await post("/api/v1/alerts", valid, as: "requester").status == .forbidden)
            #expect(try await post("/api/v1/alerts", valid, as: "agent").status == .forbidden)
            #expect(try await post("/api/v1/alerts", valid, as: "administrator").status == .accepted)
            #expect(try await api.call(.get, "/api/v1/tickets", as: "monitoring").status == .forbidden, "the token only sends alerts")
            #expect(try await api.call(.get, "/api/v1/tickets?origin=fax", as: "agent").status == .badRequest)
        }
    }
}
