import GuichetDomain
import Testing

@Suite("Impact analysis over the fleet's relations")
struct ImpactAnalysisTests {
    // a lycée: the router feeds two core switches; the access switch of building B is wired to
    // both; two workstations and an access point hang on the access switch; the Wi-Fi service
    // runs on the access point
    static let router: Int64 = 1, coreA: Int64 = 2, coreB: Int64 = 3, access: Int64 = 4
    static let pc1: Int64 = 5, pc2: Int64 = 6, accessPoint: Int64 = 7, wifi: Int64 = 8

    static func lycee(redundantCores: Bool) -> ImpactGraph {
        ImpactGraph(
            relations: [
                CIRelation(dependent: coreA, dependency: router, kind: .connectedTo),
                CIRelation(dependent: coreB, dependency: router, kind: .connectedTo),
                CIRelation(dependent: access, dependency: coreA, kind: .connectedTo, port: "uplink 1"),
                CIRelation(dependent: access, dependency: coreB, kind: .connectedTo, port: "uplink 2"),
                CIRelation(dependent: pc1, dependency: access, kind: .connectedTo, port: "Gi1/0/1"),
                CIRelation(dependent: pc2, dependency: access, kind: .connectedTo, port: "Gi1/0/2"),
                CIRelation(dependent: accessPoint, dependency: access, kind: .connectedTo),
                CIRelation(dependent: wifi, dependency: accessPoint, kind: .runsOn),
            ],
            minimumUp: redundantCores ? [access: 1] : [:]
        )
    }

    @Test("what fails with the router: everything under it, nearest first, each with its path")
    func downFromTheRoot() throws {
        let impact = ImpactAnalysis.down(from: Self.router, in: Self.lycee(redundantCores: true), depth: 10)
        #expect(Set(impact.map(\.id)) == [Self.coreA, Self.coreB, Self.access, Self.pc1, Self.pc2, Self.accessPoint, Self.wifi])
        #expect(impact.map(\.depth) == impact.map(\.depth).sorted(), "nearest first")
        let wifi = try #require(impact.first { $0.id == Self.wifi })
        #expect(wifi.depth == 4 && wifi.kind == .runsOn)
        #expect(wifi.path.first == Self.router && wifi.path.last == Self.wifi && wifi.path.count == 5)
    }

    @Test("one core switch of two down: nothing below it fails; without redundancy, everything does")
    func redundancy() {
        #expect(ImpactAnalysis.down(from: Self.coreA, in: Self.lycee(redundantCores: true), depth: 10).isEmpty)
        let unprotected = ImpactAnalysis.down(from: Self.coreA, in: Self.lycee(redundantCores: false), depth: 10)
        #expect(Set(unprotected.map(\.id)) == [Self.access, Self.pc1, Self.pc2, Self.accessPoint, Self.wifi])
    }

    @Test("a hypervisor of a farm that needs two of three: one lost holds, the VMs stay up")
    func farm() {
        let farm: Int64 = 10, vm: Int64 = 20
        let graph = ImpactGraph(
            relations: [
                CIRelation(dependent: farm, dependency: 11, kind: .hostedOn),
                CIRelation(dependent: farm, dependency: 12, kind: .hostedOn),
                CIRelation(dependent: farm, dependency: 13, kind: .hostedOn),
                CIRelation(dependent: vm, dependency: farm, kind: .hostedOn),
            ],
            minimumUp: [farm: 2]
        )
        #expect(ImpactAnalysis.down(from: 11, in: graph, depth: 5).isEmpty)
        #expect(ImpactAnalysis.down(from: farm, in: graph, depth: 5).map(\.id) == [vm])
    }

    @Test("a cycle in the relations ends the walk where it loops")
    func cycles() {
        let graph = ImpactGraph(relations: [
            CIRelation(dependent: 2, dependency: 1, kind: .connectedTo), CIRelation(dependent: 3, dependency: 2, kind: .connectedTo),
            CIRelation(dependent: 1, dependency: 3, kind: .connectedTo),
        ])
        #expect(ImpactAnalysis.down(from: 1, in: graph, depth: 50).map(\.id) == [2, 3])
        #expect(ImpactAnalysis.up(from: 1, in: graph, depth: 50).map(\.id) == [3, 2])
    }

    @Test("the depth bounds the walk both ways")
    func depth() {
        let graph = Self.lycee(redundantCores: true)
        #expect(Set(ImpactAnalysis.down(from: Self.router, in: graph, depth: 2).map(\.id)) == [Self.coreA, Self.coreB, Self.access])
        #expect(ImpactAnalysis.up(from: Self.pc1, in: graph, depth: 1).map(\.id) == [Self.access])
    }

    @Test("what a workstation depends on: its switch, both cores, the router once, as root-cause candidates")
    func up() {
        let causes = ImpactAnalysis.up(from: Self.pc1, in: Self.lycee(redundantCores: true), depth: 10)
        #expect(causes.map(\.id).first == Self.access)
        #expect(causes.map(\.id).sorted() == [Self.router, Self.coreA, Self.coreB, Self.access].sorted())
        #expect(causes.first { $0.id == Self.router }?.depth == 3)
    }
}
