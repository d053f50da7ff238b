/// The part of the fleet an impact analysis walks: its relations, both ways, and the redundancy of
/// the CIs that have some.
public struct ImpactGraph: Sendable {
    /// Each CI's relations to what it depends on.
    public private(set) var dependencies: [Int64: [CIRelation]] = [:]
    /// Each CI's relations from what depends on it.
    public private(set) var dependents: [Int64: [CIRelation]] = [:]
    /// How many of a CI's dependencies must stay up for it to work (two core switches, one is
    /// enough: 1). A CI without an entry needs every one of them.
    public var minimumUp: [Int64: Int]

    public init(relations: some Sequence<CIRelation>, minimumUp: [Int64: Int] = [:]) {
        for relation in Set(relations) {
            dependencies[relation.dependent, default: []].append(relation)
            dependents[relation.dependency, default: []].append(relation)
        }
        self.minimumUp = minimumUp
    }
}

/// Which way an analysis walks: `down` to what fails when a CI fails, `up` to what a CI needs.
public enum ImpactDirection: String, Sendable, CaseIterable, Codable {
    case down, up
}

/// A CI an analysis reached.
public struct ImpactedCI: Sendable, Equatable {
    public let id: Int64
    /// Steps from the analysed CI.
    public let depth: Int
    /// The CIs from the analysed one to this one, both included.
    public let path: [Int64]
    /// The relation of the last step.
    public let kind: CIRelationKind
}

/// Impact analysis over the fleet's relations, as iTop does it: failures go down the relations,
/// redundancy holds a CI up while enough of its dependencies stay up, cycles end where they loop.
public enum ImpactAnalysis {
    /// What fails when `root` fails, nearest first, within `depth` steps.
    public static func down(from root: Int64, in graph: ImpactGraph, depth limit: Int) -> [ImpactedCI] {
        walk(from: root, depth: limit) { id, failed in
            (graph.dependents[id] ?? []).filter { isDown($0.dependent, in: graph, root: root, failed: failed) }.map { ($0.dependent, $0.kind) }
        }
    }

    /// What `root` depends on, nearest first, within `depth` steps: the candidates for the cause of
    /// its failure.
    public static func up(from root: Int64, in graph: ImpactGraph, depth limit: Int) -> [ImpactedCI] {
        walk(from: root, depth: limit) { id, _ in (graph.dependencies[id] ?? []).map { ($0.dependency, $0.kind) } }
    }

    /// Breadth first from `root`: `steps` names the CIs one step from a reached one, given those
    /// reached so far; each CI is reached once, by its shortest path.
    private static func walk(
        from root: Int64, depth limit: Int, steps: (Int64, [Int64: ImpactedCI]) -> [(id: Int64, kind: CIRelationKind)]
    ) -> [ImpactedCI] {
        var reached: [Int64: ImpactedCI] = [:]
        var order: [ImpactedCI] = []
        var queue: [(id: Int64, depth: Int, path: [Int64])] = [(root, 0, [root])]
        var next = 0
        while next < queue.count {
            let (id, depth, path) = queue[next]
            next += 1
            guard depth < limit else { continue }
            for step in steps(id, reached) where step.id != root && reached[step.id] == nil {
                let ci = ImpactedCI(id: step.id, depth: depth + 1, path: path + [step.id], kind: step.kind)
                reached[step.id] = ci
                order.append(ci)
                queue.append((step.id, depth + 1, ci.path))
            }
        }
        return order
    }

    /// Whether `id` is down, given what failed so far: fewer of its dependencies stay up than it needs.
    private static func isDown(_ id: Int64, in graph: ImpactGraph, root: Int64, failed: [Int64: ImpactedCI]) -> Bool {
        let needed = Set((graph.dependencies[id] ?? []).map(\.dependency))
        let down = needed.filter { $0 == root || failed[$0] != nil }.count
        let required = graph.minimumUp[id].map { min($0, needed.count) } ?? needed.count
        return needed.count - down < required
    }
}
