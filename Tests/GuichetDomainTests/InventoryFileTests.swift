import GuichetDomain
import Testing

@Suite("Inventory files read as rows")
struct InventoryFileTests {
    @Test("CSV: quotes, doubled quotes, separators and newlines in quotes, CRLF, a BOM, semicolons as a spreadsheet writes them")
    func csv() throws {
        let text = "\u{FEFF}external_id;class;name;room\r\n1;desktop;\"PC \"\"A\"\"; salle 1\";B12\r\n2;printer;\"IMP\nsur deux lignes\";\r\n\r\n3;router;RTR;\n"
        let (rows, unreadable) = try InventoryFile.rows(of: text, format: .csv)
        #expect(unreadable.isEmpty)
        #expect(rows.map(\.line) == [2, 3, 6])
        #expect(rows[0].values == ["external_id": "1", "class": "desktop", "name": "PC \"A\"; salle 1", "room": "B12"])
        #expect(rows[1].values["name"] == "IMP\nsur deux lignes" && rows[1].values["room"] == nil, "an empty field is no value")
        #expect(rows[2].values["class"] == "router")
    }

    @Test("CSV: a row with more fields than columns, or an unclosed quote, is reported with its line; the others are read")
    func csvFaults() throws {
        let (rows, unreadable) = try InventoryFile.rows(of: "external_id,class,name\n1,desktop,A,extra\n2,desktop,B\n3,desktop,\"C\n", format: .csv)
        #expect(rows.map(\.line) == [3])
        #expect(unreadable.map(\.line) == [2, 4])
        #expect(unreadable[1].reason.contains("quote"))
        #expect(throws: InventoryFile.Refusal.duplicateColumn("name")) { try InventoryFile.rows(of: "name,class,name\n", format: .csv) }
        #expect(throws: InventoryFile.Refusal.empty) { try InventoryFile.rows(of: " \n\n", format: .csv) }
    }

    @Test("JSON lines: strings, numbers, lists; a bad line is reported; a file that starts with no object is not JSON lines")
    func jsonLines() throws {
        let text = #"{"external_id":"a","class":"farm","name":"F","minimum_up":2}"# + "\nnot json\n" + #"{"external_id":"b","runs_on":["x","y"]}"#
        let (rows, unreadable) = try InventoryFile.rows(of: text, format: .jsonl)
        #expect(rows.map(\.line) == [1, 3] && unreadable.map(\.line) == [2])
        #expect(rows[0].values["minimum_up"] == "2" && rows[1].values["runs_on"] == "x; y")
        #expect(throws: InventoryFile.Refusal.notJSONLines(line: 1)) { try InventoryFile.rows(of: "a,b\n", format: .jsonl) }
    }

    @Test("a row becomes a checked CI: class and status by name, relations split, unknown columns as free attributes; faults name their field")
    func rows() throws {
        let draft = try InventoryRow.draft([
            "external_id": "x", "class": "Access_Switch", "name": "SW-1", "connected_to": "CORE-1; CORE-2", "minimum_up": "1", "baie": "B2",
            "av_protected": "oui", "av_signatures_at": "2026-11-30",
        ]).get()
        #expect(draft.ciClass == .accessSwitch && draft.dependencies[.connectedTo] == ["CORE-1", "CORE-2"] && draft.minimumUp == 1)
        #expect(draft.attributes.free == ["baie": "B2"] && draft.attributes.antivirus?.protected == true)
        func refusal(_ values: [String: String]) -> String? {
            if case .failure(let refusal) = InventoryRow.draft(values) { return refusal.field }
            return nil
        }
        #expect(refusal(["name": "A"]) == "class")
        #expect(refusal(["class": "desktop"]) == "name")
        #expect(refusal(["class": "desktop", "name": "A", "ip": "300.1.1.1"]) == "ip")
        #expect(refusal(["class": "desktop", "name": "A", "mac": "00:11:22"]) == "mac")
        #expect(refusal(["class": "desktop", "name": "A", "warranty_end": "31/12/2027"]) == "warranty_end")
        #expect(refusal(["class": "desktop", "name": "A", "status": "broken"]) == "status")
        #expect(refusal(["class": "desktop", "name": "A", "ip": "2001:db8::1", "mac": "00-1B-44-11-3A-B7"]) == nil)
    }
}
