import Foundation
import GuichetDomain
import PostgresNIO

/// A CI as an impact drawing or a relation list names it.
public struct CISummary: Sendable, Equatable {
    public var id: Int64
    public var ciClass: CIClass
    public var name: String
    public var status: CIStatus
    public var establishment: TicketRecord.Named?
    /// Whether the caller's scope covers it; a hidden CI is counted, never named.
    public var visible: Bool
}

extension CIRepository {
    /// Sets what `dependent` depends on through `kind` (its uplink, its host): the relations of that
    /// kind it had are replaced.
    public func replaceDependencies(of dependent: Int64, kind: CIRelationKind, with dependencies: [(id: Int64, port: String?)]) async throws {
        try await connection.query(
            "DELETE FROM ci_relations WHERE dependent_id = \(dependent) AND kind = \(kind.rawValue)", logger: logger
        )
        try await connection.query(
            """
            INSERT INTO ci_relations (dependent_id, dependency_id, kind, port)
            SELECT \(dependent), d, \(kind.rawValue), nullif(p, '')
            FROM unnest(\(dependencies.map(\.id))::bigint[], \(dependencies.map { $0.port ?? "" })::text[]) AS u(d, p)
            WHERE d <> \(dependent)
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }

    /// The relations that start or end at `id`.
    public func relations(of id: Int64) async throws -> [CIRelation] {
        let rows = try await connection.query(
            """
            SELECT dependent_id, dependency_id, kind, port FROM ci_relations WHERE dependent_id = \(id)
            UNION ALL
            SELECT dependent_id, dependency_id, kind, port FROM ci_relations WHERE dependency_id = \(id)
            """,
            logger: logger
        )
        return try await Self.decodeRelations(rows)
    }

    /// The part of the graph an analysis from `root` needs, `depth` steps away at most: for `down`,
    /// what depends on it, with every dependency of those (redundancy counts them all); for `up`,
    /// what it depends on. Cycles end where a CI comes back (`UNION` drops repeated rows). The
    /// reached CIs are handed on as an array, whose relations are read by the primary key: joined
    /// to the walk, whose size the planner cannot guess, they were read by scanning every relation.
    public func impactGraph(from root: Int64, direction: ImpactDirection, depth: Int) async throws -> ImpactGraph {
        let rows: PostgresRowSequence
        switch direction {
        case .down:
            rows = try await connection.query(
                """
                WITH RECURSIVE below(id, depth) AS (
                    SELECT \(root)::bigint, 0
                    UNION
                    SELECT r.dependent_id, b.depth + 1 FROM below b JOIN ci_relations r ON r.dependency_id = b.id WHERE b.depth < \(depth)
                )
                SELECT r.dependent_id, r.dependency_id, r.kind, r.port FROM ci_relations r
                WHERE r.dependent_id = ANY(ARRAY(SELECT id FROM below WHERE id <> \(root)))
                """,
                logger: logger
            )
        case .up:
            rows = try await connection.query(
                """
                WITH RECURSIVE above(id, depth) AS (
                    SELECT \(root)::bigint, 0
                    UNION
                    SELECT r.dependency_id, a.depth + 1 FROM above a JOIN ci_relations r ON r.dependent_id = a.id WHERE a.depth < \(depth)
                )
                SELECT r.dependent_id, r.dependency_id, r.kind, r.port FROM ci_relations r
                WHERE r.dependent_id = ANY(ARRAY(SELECT id FROM above WHERE depth < \(depth)))
                """,
                logger: logger
            )
        }
        let relations = try await Self.decodeRelations(rows)
        let dependents = Array(Set(relations.map(\.dependent)))
        var minimumUp: [Int64: Int] = [:]
        let redundancy = try await connection.query(
            "SELECT id, minimum_up FROM cis WHERE id = ANY(\(dependents)) AND minimum_up IS NOT NULL", logger: logger
        )
        for try await (id, minimum) in redundancy.decode((Int64, Int32).self) { minimumUp[id] = Int(minimum) }
        return ImpactGraph(relations: relations, minimumUp: minimumUp)
    }

    /// The CIs of `ids`, each marked visible or not to the caller (a CI of no establishment makes the
    /// scope's condition NULL, not false, for those who see one establishment).
    public func summaries(_ ids: [Int64], scope: CIScope) async throws -> [Int64: CISummary] {
        let rows = try await connection.query(
            """
            SELECT c.id, c.class, c.name, c.status, c.establishment_id, eo.code, eo.name, coalesce(\(ciVisibleTo: scope), false)
            FROM cis c LEFT JOIN organizations eo ON eo.id = c.establishment_id
            WHERE c.id = ANY(\(ids))
            """,
            logger: logger
        )
        var found: [Int64: CISummary] = [:]
        for try await (id, ciClass, name, status, establishmentID, code, establishmentName, visible) in rows.decode(
            (Int64, String, String, String, Int64?, String?, String?, Bool).self
        ) {
            let establishment = establishmentID.map { TicketRecord.Named(id: $0, code: code, name: establishmentName ?? "") }
            found[id] = CISummary(
                id: id, ciClass: CIClass(rawValue: ciClass) ?? .desktop, name: name, status: CIStatus(rawValue: status) ?? .production,
                establishment: establishment, visible: visible
            )
        }
        return found
    }

    static func decodeRelations(_ rows: PostgresRowSequence) async throws -> [CIRelation] {
        var relations: [CIRelation] = []
        for try await (dependent, dependency, kind, port) in rows.decode((Int64, Int64, String, String?).self) {
            guard let kind = CIRelationKind(rawValue: kind) else { continue }
            relations.append(CIRelation(dependent: dependent, dependency: dependency, kind: kind, port: port))
        }
        return relations
    }
}
