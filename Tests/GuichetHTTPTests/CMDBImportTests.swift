import Foundation
import GuichetDomain
import GuichetQueue
import GuichetServices
import GuichetStore
import GuichetTestSupport
import HTTPTypes
import PostgresNIO
import Testing

@Suite("Inventories imported: reconciliation, full imports, rejected rows, intake tokens")
struct CMDBImportTests {
    /// Hands over `csv` as the administrator and runs its import at once (as a worker would).
    static func importCSV(_ api: APIHarness, _ csv: String, source: String = "ocs", mode: String = "delta") async throws -> CIImportView {
        let response = try await api.call(
            .post, "/api/v1/cis/imports?source=\(source)&mode=\(mode)", as: "administrator", body: csv, headers: [.contentType: "text/csv"]
        )
        #expect(response.status == .accepted, "\(response.text)")
        let submitted = try response.decode(CIImportView.self)
        #expect(submitted.state == .queued && response.headers[.location] == submitted.url)
        let imports = CIImportService(database: api.database, notifier: JobNotifier(client: api.database.client, logger: TestDatabase.logger), logger: TestDatabase.logger)
        try await imports.run(submitted.id)
        return try await api.call(.get, submitted.url, as: "administrator").decode(CIImportView.self)
    }

    static func ci(_ api: APIHarness, named name: String) async throws -> CIView? {
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
        let page = try await api.call(.get, "/api/v1/cis?q=\(encoded)&limit=200", as: "agent").decode(CIPage.self)
        return page.items.first { $0.name == name }
    }

    /// Moves the inventories of `source` an hour into the past, as if they had run then.
    static func ageInventory(_ api: APIHarness, source: String) async throws {
        try await api.database.client.query("UPDATE ci_sources SET last_full_at = last_full_at - interval '1 hour' WHERE source = \(source)")
        try await api.database.client.query("UPDATE cis SET last_seen_at = last_seen_at - interval '1 hour' WHERE source = \(source)")
    }

    static func header() -> String { "external_id,class,name,establishment,room,serial,ip,connected_to,couleur\n" }

    @Test("an inventory creates its CIs and relations; the same file again changes nothing; a changed serial or a moved room updates")
    func reconciliation() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let first = Self.header() + """
                sw-1,access_switch,SW-A-01,\(uai),A001,SN-SW1,10.1.0.2,
                pc-1,desktop,PC-A101-01,\(uai),A101,SN-PC1,10.1.1.11,sw-1,gris
                pc-2,desktop,PC-A101-02,\(uai),A101,SN-PC2,,SW-A-01,

                """
            let created = try await Self.importCSV(api, first)
            #expect(created.state == .done, "\(created)")
            #expect((created.created, created.updated, created.unchanged, created.retired) == (3, 0, 0, 0), "\(created)")
            #expect(created.rejected.isEmpty, "\(created.rejected)")
            let pc1 = try #require(try await Self.ci(api, named: "PC-A101-01"))
            #expect(pc1.serial == "SN-PC1" && pc1.ip == "10.1.1.11" && pc1.room == "A101" && pc1.source == "ocs" && pc1.externalId == "pc-1")
            #expect(pc1.attributes == ["couleur": "gris"], "an unknown column is a free attribute")
            let switchImpact = try await api.call(.get, "/api/v1/cis/\(try #require(try await Self.ci(api, named: "SW-A-01")).id)/impact", as: "agent")
                .decode(ImpactView.self)
            #expect(Set(switchImpact.items.map(\.ci.name)) == ["PC-A101-01", "PC-A101-02"], "relations by external id and by name")

            let again = try await Self.importCSV(api, first)
            #expect((again.created, again.updated, again.unchanged) == (0, 0, 3), "\(again)")

            let changed = Self.header() + """
                sw-1,access_switch,SW-A-01,\(uai),A001,SN-SW1,10.1.0.2,
                pc-1,desktop,PC-A101-01,\(uai),B202,SN-PC1,10.1.1.11,sw-1,gris
                pc-2,desktop,PC-A101-02,\(uai),A101,SN-PC2-NEW,,SW-A-01,

                """
            let updated = try await Self.importCSV(api, changed)
            #expect((updated.created, updated.updated, updated.unchanged) == (0, 2, 1), "\(updated)")
            #expect(try await Self.ci(api, named: "PC-A101-01")?.room == "B202")
            #expect(try await Self.ci(api, named: "PC-A101-02")?.serial == "SN-PC2-NEW")
            let log = try await api.call(.get, "/api/v1/audit?object_type=ci&object_id=\(pc1.id)", as: "administrator").text
            #expect(log.contains("ci.updated") && log.contains("ci.created") && log.contains("import"), "each change is in the audit log")
        }
    }

    @Test("a first load of 10,000 CIs puts the CMDB's indexes, their statistics targets and foreign keys back, rebuilt; tabs, backslashes and line ends arrive whole")
    func firstLoad() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let checks = """
                SELECT (SELECT count(*) FROM pg_index WHERE indrelid IN ('cis'::regclass, 'ci_relations'::regclass))::bigint,
                       (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('cis'::regclass, 'ci_relations'::regclass))::bigint,
                       'cis_search_idx'::regclass::oid::bigint,
                       (SELECT attstattarget FROM pg_attribute WHERE attrelid = 'cis_address_idx'::regclass)::bigint
                """
            func read() async throws -> (Int64, Int64, Int64, Int64) {
                for try await row in try await api.database.client.query(PostgresQuery(unsafeSQL: checks)).decode((Int64, Int64, Int64, Int64).self) {
                    return row
                }
                return (0, 0, 0, 0)
            }
            let before = try await read()
            var csv = Self.header() + "bulk-sw,access_switch,SW-BULK,\(uai),A001,SN-BULK,10.2.0.1,,\n"
            csv += "bulk-odd,desktop,PC-BULK-ODD,\(uai),\"Salle\t\\B\n2\",SN-ODD,,bulk-sw,\"gris\\foncé\"\n"
            for n in 1...9_998 { csv += "bulk-\(n),desktop,PC-BULK-\(n),\(uai),B\(n % 40),SN-BULK-\(n),,bulk-sw,\n" }
            let loaded = try await Self.importCSV(api, csv, mode: "full")
            #expect(loaded.state == .done && loaded.created == 10_000 && loaded.rejected.isEmpty, "\(loaded)")
            let after = try await read()
            #expect(after.0 == before.0 && after.1 == before.1, "every index and foreign key is back")
            #expect(after.2 != before.2, "the search index was built again, not kept row by row")
            #expect(before.3 == 1_000 && after.3 == 1_000, "the address index keeps its finer statistics")
            let odd = try #require(try await Self.ci(api, named: "PC-BULK-ODD"))
            #expect(odd.room == "Salle\t\\B\n2" && odd.attributes == ["couleur": "gris\\foncé"], "\(String(describing: odd.room)) \(odd.attributes)")
            #expect(try await Self.ci(api, named: "PC-BULK-4321")?.serial == "SN-BULK-4321", "the rebuilt index finds a CI")
            let relations = try await api.database.client.query(
                "SELECT count(*)::bigint FROM ci_relations r JOIN cis s ON s.id = r.dependency_id WHERE s.name = 'SW-BULK'"
            )
            for try await count in relations.decode(Int64.self) { #expect(count == 9_999) }
        }
    }

    @Test("a CI recorded by hand is found by its serial and adopted by the inventory, not doubled")
    func adoptsBySerial() async throws {
        try await withAPI { api async throws in
            let byHand = try await api.call(.post, "/api/v1/cis", as: "agent", body: #"{"class":"server","name":"SRV-COMPTA","serial":"CZ1234"}"#)
                .decode(CIView.self)
            let result = try await Self.importCSV(api, Self.header() + "glpi-77,server,srv-compta-01,,,CZ1234,10.9.0.5,,\n", source: "glpi")
            #expect((result.created, result.updated) == (0, 1), "\(result)")
            let adopted = try await api.call(.get, "/api/v1/cis/\(byHand.id)", as: "agent").decode(CIView.self)
            #expect(adopted.name == "srv-compta-01" && adopted.source == "glpi" && adopted.externalId == "glpi-77")
        }
    }

    @Test("a full import retires what it no longer lists; a refused row keeps its CI; bad rows are reported with their line and why")
    func fullImportAndRejections() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            _ = try await Self.importCSV(
                api,
                Self.header() + "p-1,printer,IMP-1,\(uai),,,,,\np-2,printer,IMP-2,\(uai),,,,,\np-3,printer,IMP-3,\(uai),,,,,\n", source: "snmp",
                mode: "full"
            )
            try await Self.ageInventory(api, source: "snmp")
            let second = try await Self.importCSV(
                api,
                Self.header() + """
                    p-1,printer,IMP-1,\(uai),,,,,
                    p-2,printer,IMP-2,\(uai),,,10.0.0.999,,
                    p-4,toaster,GRILLE-PAIN,\(uai),,,,,
                    p-5,printer,IMP-5,9999999Z,,,,,
                    p-6,printer,IMP-6,\(uai),,,,NOWHERE,
                    p-1,printer,IMP-1-BIS,\(uai),,,,,
                    ,printer,SANS-ID,\(uai),,,,,
                    "p-7,printer,""IMP,7"",\(uai),,,,,

                    """, source: "snmp", mode: "full"
            )
            #expect(second.state == .done, "\(second)")
            #expect(second.retired == 1, "IMP-3 is no longer listed: \(second)")
            #expect(try await Self.ci(api, named: "IMP-3")?.status == .retired)
            #expect(try await Self.ci(api, named: "IMP-2")?.status == .production, "a refused row does not retire its CI")
            let reasons = Dictionary(second.rejected.map { ($0.line, $0.reason) }, uniquingKeysWith: { $0 + " / " + $1 })
            #expect(reasons[3]?.contains("10.0.0.999") == true, "\(reasons)")
            #expect(reasons[4]?.contains("toaster") == true)
            #expect(reasons[5]?.contains("9999999Z") == true)
            #expect(reasons[6]?.contains("NOWHERE") == true, "a relation naming no CI is reported; the CI is kept")
            #expect(try await Self.ci(api, named: "IMP-6") != nil)
            #expect(reasons[7]?.contains("line 2") == true, "a doubled external id")
            #expect(reasons[8]?.contains("external_id") == true)
            #expect(reasons[9]?.contains("quote") == true, "\(reasons)")
            #expect(second.created == 1 && second.totalRows == 8, "IMP-6 only: \(second)")

            // last seen: when a full import last listed the CI; a retired one keeps the import before
            let gone = try #require(try await Self.ci(api, named: "IMP-3")?.lastSeenAt)
            let seen = try #require(try await Self.ci(api, named: "IMP-1")?.lastSeenAt)
            #expect(seen > gone.addingTimeInterval(3_000), "IMP-3 was last seen by the first import (\(gone)), IMP-1 by the second (\(seen))")
            try await Self.ageInventory(api, source: "snmp")
            let listed = try #require(try await Self.ci(api, named: "IMP-1")?.lastSeenAt)
            let delta = try await Self.importCSV(api, Self.header() + "p-2,printer,IMP-2,\(uai),,,,,\n", source: "snmp", mode: "delta")
            let seenAgain = try #require(try await Self.ci(api, named: "IMP-2")?.lastSeenAt)
            #expect(delta.unchanged == 1 && seenAgain > listed, "a delta import sees the CIs it lists")
            #expect(try await Self.ci(api, named: "IMP-1")?.lastSeenAt == listed, "and only those")
        }
    }

    @Test("JSON lines import like CSV; a file that is neither is refused at once, saying why")
    func formats() async throws {
        try await withAPI { api async throws in
            let lines = #"""
                {"external_id":"vm-1","class":"virtual_machine","name":"VM-ENT-01","os":"Debian 12","hosted_on":"farm-1"}
                {"external_id":"farm-1","class":"farm","name":"FERME-A","minimum_up":2}
                """#
            let response = try await api.call(
                .post, "/api/v1/cis/imports?source=vcenter", as: "administrator", body: lines, headers: [.contentType: "application/x-ndjson"]
            )
            #expect(response.status == .accepted, "\(response.text)")
            let imports = CIImportService(database: api.database, notifier: JobNotifier(client: api.database.client, logger: TestDatabase.logger), logger: TestDatabase.logger)
            let done = try #require(try await imports.run(try response.decode(CIImportView.self).id))
            #expect(done.created == 2 && done.rejected.isEmpty, "\(done)")
            #expect(try await Self.ci(api, named: "FERME-A")?.minimumUp == 2)

            let notCSV = try await api.call(.post, "/api/v1/cis/imports?source=x", as: "administrator", body: "hello world\n", headers: [.contentType: "text/csv"])
            #expect(notCSV.status == .unprocessableContent && notCSV.text.contains("external_id"), "\(notCSV.text)")
            let notJSON = try await api.call(.post, "/api/v1/cis/imports?source=x&format=jsonl", as: "administrator", body: "a,b\n1,2\n")
            #expect(notJSON.status == .unprocessableContent, "\(notJSON.text)")
            let noType = try await api.call(.post, "/api/v1/cis/imports?source=x", as: "administrator", body: "a", headers: [.contentType: "image/png"])
            #expect(noType.status == .unsupportedMediaType)
            let badSource = try await api.call(.post, "/api/v1/cis/imports?source=a%20b", as: "administrator", body: "external_id,class,name\n", headers: [.contentType: "text/csv"])
            #expect(badSource.status == .unprocessableContent)
        }
    }

    @Test("an export lists the perimeter's CIs in the import's columns and imports again unchanged; a dependency outside the perimeter is not named")
    func export() async throws {
        try await withAPI { api async throws in
            let uai = api.template.account("requester").organizationCode
            let inventory = #"""
                external_id,class,name,establishment,room,serial,ip,mac,warranty_end,minimum_up,av_protected,av_signatures_at,connected_to,couleur
                exp-core,core_switch,EXP-CORE,,DC1,SN-CORE,10.9.0.1,,,,,,,
                exp-sw,access_switch,EXP-SW-A,\#(uai),"Baie A, rez",SN-SW,10.9.1.2,aa:bb:cc:00:11:22,2029-06-30,1,,,exp-core,
                exp-pc,desktop,EXP-PC-01,\#(uai),A101,SN-PC,10.9.1.11,,,,true,2026-11-30T08:00:00Z,exp-sw,"gris ""clair"""

                """#
            let created = try await Self.importCSV(api, inventory)
            #expect(created.created == 3 && created.rejected.isEmpty, "\(created)")

            let staff = try await api.call(.get, "/api/v1/cis/export?q=EXP", as: "agent")
            #expect(staff.status == .ok && staff.headers[.contentType] == "text/csv; charset=utf-8")
            let rows = try InventoryFile.rows(of: staff.text, format: .csv).rows
            #expect(rows.map { $0.values["name"] } == ["EXP-CORE", "EXP-PC-01", "EXP-SW-A"], "name order")
            let pc = try #require(rows.first { $0.values["name"] == "EXP-PC-01" }).values
            #expect(pc["connected_to"] == "exp-sw" && pc["couleur"] == #"gris "clair""# && pc["av_protected"] == "true", "\(pc)")
            #expect(pc["establishment"] == uai && pc["external_id"] == "exp-pc" && pc["class"] == "desktop")
            let again = try await Self.importCSV(api, staff.text)
            #expect((again.created, again.updated, again.unchanged) == (0, 0, 3), "the export imports again unchanged: \(again)")

            let requester = try await api.call(.get, "/api/v1/cis/export?q=EXP", as: "requester")
            let theirs = try InventoryFile.rows(of: requester.text, format: .csv).rows
            #expect(theirs.map { $0.values["name"] } == ["EXP-PC-01", "EXP-SW-A"], "only the establishment's equipment")
            let sw = try #require(theirs.first { $0.values["name"] == "EXP-SW-A" }).values
            #expect(sw["connected_to"] == nil && !requester.text.contains("exp-core"), "the datacentre's switch is not named: \(sw)")
            #expect(sw["room"] == "Baie A, rez" && sw["mac"] == "aa:bb:cc:00:11:22" && sw["warranty_end"] == "2029-06-30" && sw["minimum_up"] == "1")

            let printers = try await api.call(.get, "/api/v1/cis/export?q=EXP&class=printer", as: "agent")
            #expect(try InventoryFile.rows(of: printers.text, format: .csv).rows.isEmpty && printers.text.hasPrefix(#""external_id","class""#))
            let badClass = try await api.call(.get, "/api/v1/cis/export?class=toaster", as: "agent")
            #expect(badClass.status == .badRequest && badClass.text.contains("toaster"))

            try await api.call(.post, "/api/v1/cis", as: "agent", body: #"{"class":"printer","name":"=HYPERLINK(\"x\")","establishment":"\#(uai)"}"#)
            let formula = try await api.call(.get, "/api/v1/cis/export?class=printer", as: "agent").text
            #expect(formula.contains(#""'=HYPERLINK(""x"")""#), "a formula is neutralised: \(formula)")
        }
    }

    @Test("an inventory token hands over inventories and reads their outcome, and nothing else")
    func intakeToken() async throws {
        try await withAPI { api async throws in
            let admin = api.template.account("administrator").personId
            let token = try await api.database.client.withConnection { connection in
                try await DirectoryRepository(connection: connection, logger: TestDatabase.logger).issueToken(
                    personID: admin, label: "ocs", scopes: [.inventory], expiresAt: nil
                ).token
            }
            let submitted = try await api.call(
                .post, "/api/v1/cis/imports?source=ocs", token: token, body: "external_id,class,name\nx-1,desktop,PC-X\n", headers: [.contentType: "text/csv"]
            )
            #expect(submitted.status == .accepted, "\(submitted.text)")
            let url = try submitted.decode(CIImportView.self).url
            #expect(try await api.call(.get, url, token: token).status == .ok)
            #expect(try await api.call(.get, "/api/v1/tickets", token: token).status == .forbidden)
            #expect(try await api.call(.get, "/api/v1/cis", token: token).status == .forbidden)
            #expect(try await api.call(.post, "/api/v1/cis", token: token, body: #"{"class":"desktop","name":"X"}"#).status == .forbidden)
        }
    }
}
