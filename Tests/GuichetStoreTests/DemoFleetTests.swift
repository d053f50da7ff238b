import GuichetDomain
import GuichetServices
import Testing

@Suite("The demo's fleet")
struct DemoFleetTests {
    @Test("about 65,000 CIs for 180 establishments, every row a valid CI, every relation naming a CI of the fleet")
    func fleet() throws {
        let establishments = (1...180).map { DemoFleet.Establishment(code: String(format: "0%02d%04dA", 18 + $0 % 6, $0), name: "Lycée \($0)") }
        var ids: Set<String> = []
        var references: [String] = []
        var invalid = 0
        var classes: [CIClass: Int] = [:]
        DemoFleet(establishments: establishments).forEachRow { row in
            ids.insert(row["external_id"] ?? "")
            switch InventoryRow.draft(row) {
            case .success(let draft):
                classes[draft.ciClass, default: 0] += 1
                references += draft.dependencies.values.flatMap { $0 }
            case .failure:
                invalid += 1
            }
        }
        #expect(invalid == 0)
        #expect((60_000...70_000).contains(ids.count), "\(ids.count)")
        #expect(Set(references).isSubset(of: ids))
        #expect(classes[.virtualMachine] == 2_000 && classes[.router] == 180)
        #expect((classes[.desktop] ?? 0) + (classes[.laptop] ?? 0) == 180 * 260)
    }
}
