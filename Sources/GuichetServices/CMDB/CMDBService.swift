import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// The fleet as people see and change it: configuration items within the caller's perimeter,
/// their relations, what a failure impacts, the tickets they are in.
public struct CMDBService: Sendable {
    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// One CI with its relations, or `notFound` when it is outside the caller's perimeter.
    public func ci(_ id: Int64, for principal: Principal) async throws -> CIView {
        try await database.transaction { connection in
            let store = CIRepository(connection: connection, logger: logger)
            let scope = CIScope(of: principal)
            guard let record = try await store.find(id: id, scope: scope) else { throw Self.notFound(id) }
            var view = CIView(record)
            let relations = try await store.relations(of: id)
            let others = try await store.summaries(relations.map { $0.dependent == id ? $0.dependency : $0.dependent }, scope: scope)
            var shown: [CIRelationView] = []
            for relation in relations {
                let dependsOn = relation.dependent == id
                guard let other = others[dependsOn ? relation.dependency : relation.dependent], other.visible else { continue }
                shown.append(CIRelationView(side: dependsOn ? .dependsOn : .dependent, kind: relation.kind, port: relation.port, ci: CISummaryView(other)))
            }
            view.relations = shown.sorted { ($0.side.rawValue, $0.ci.name, $0.ci.id) < ($1.side.rawValue, $1.ci.name, $1.ci.id) }
            view.hiddenRelations = relations.count - shown.count
            return view
        }
    }

    /// A page of CIs within the caller's perimeter, in name order.
    public func list(_ filter: CIFilter, cursor: String?, limit: Int, for principal: Principal) async throws -> CIPage {
        var after: (name: String, id: Int64)?
        if let cursor {
            guard let decoded = CICursor.decode(cursor) else { throw ServiceError.invalid("cursor", "The cursor is not one this server gave out.") }
            after = decoded
        }
        let records = try await database.client.withConnection { connection in
            try await CIRepository(connection: connection, logger: logger).list(filter, scope: CIScope(of: principal), after: after, limit: limit + 1)
        }
        let page = records.prefix(limit)
        let next = records.count > limit ? page.last.map { CICursor.encode(name: $0.name, id: $0.id) } : nil
        return CIPage(items: page.map(CIView.init), nextCursor: next)
    }

    /// What fails when the CI fails (`down`), or what it depends on (`up`), `depth` steps at most.
    public func impact(of id: Int64, direction: ImpactDirection, depth: Int, for principal: Principal) async throws -> ImpactView {
        try await database.transaction { connection in
            let store = CIRepository(connection: connection, logger: logger)
            let scope = CIScope(of: principal)
            guard try await store.find(id: id, scope: scope) != nil else { throw Self.notFound(id) }
            let graph = try await store.impactGraph(from: id, direction: direction, depth: depth)
            let reached =
                direction == .down
                ? ImpactAnalysis.down(from: id, in: graph, depth: depth) : ImpactAnalysis.up(from: id, in: graph, depth: depth)
            let summaries = try await store.summaries([id] + reached.map(\.id), scope: scope)
            guard let root = summaries[id] else { throw Self.notFound(id) }
            return ImpactView(root: root, reached: reached, summaries: summaries, direction: direction, depth: depth)
        }
    }

    /// The tickets linked to a CI, within both perimeters.
    /// Recounts the search text's trigrams that most CIs share, which a search does not give the
    /// trigram index (`CIRepository.refreshSearchTrigrams`); returns how many there are.
    public func refreshSearchTrigrams() async throws -> Int {
        try await database.client.withConnection { try await CIRepository(connection: $0, logger: logger).refreshSearchTrigrams() }
    }

    public func tickets(ofCI id: Int64, for principal: Principal, limit: Int) async throws -> [CITicketView] {
        try await database.transaction { connection in
            let store = CIRepository(connection: connection, logger: logger)
            guard try await store.find(id: id, scope: CIScope(of: principal)) != nil else { throw Self.notFound(id) }
            return try await store.tickets(ofCI: id, scope: AccessPolicy.ticketScope(of: principal), limit: limit).map(CITicketView.init)
        }
    }

    static func notFound(_ id: Int64) -> ServiceError { .notFound("No configuration item \(id) is within your perimeter.") }
}

extension ImpactView {
    init(root: CISummary, reached: [ImpactedCI], summaries: [Int64: CISummary], direction: ImpactDirection, depth: Int) {
        ci = CISummaryView(root)
        self.direction = direction
        self.depth = depth
        var items: [Reached] = []
        var hidden = 0
        var byClass: [String: Int] = [:]
        var establishments: [Int64: NamedView] = [:]
        var services: [CISummaryView] = []
        for found in reached {
            guard let summary = summaries[found.id], summary.visible else {
                hidden += 1
                continue
            }
            let path = found.path.filter { summaries[$0]?.visible == true }
            items.append(Reached(ci: CISummaryView(summary), depth: found.depth, kind: found.kind, path: path, hiddenInPath: found.path.count - path.count))
            byClass[summary.ciClass.rawValue, default: 0] += 1
            if let establishment = summary.establishment { establishments[establishment.id] = NamedView(establishment) }
            if summary.ciClass == .businessService { services.append(CISummaryView(summary)) }
        }
        self.items = items
        self.hidden = hidden
        self.byClass = byClass
        self.establishments = establishments.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        businessServices = services
    }
}

/// Opaque cursors of CI lists: the last name and id of a page.
enum CICursor {
    static func encode(name: String, id: Int64) -> String {
        Data("c:\(id):\(name)".utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) -> (name: String, id: Int64)? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("c:") else { return nil }
        let parts = text.dropFirst(2).split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let id = Int64(parts[0]), id > 0 else { return nil }
        return (String(parts[1]), id)
    }
}
