import Foundation
import GuichetDomain
import PostgresNIO

/// A CI as an export lists it: its record and, per kind of relation, the CIs it depends on as an
/// inventory names them.
public struct CIExportRecord: Sendable {
    public var record: CIRecord
    /// The dependencies the caller may see, by their external id when they come from the CI's own
    /// source, else by name; in name order.
    public var dependencies: [CIRelationKind: [String]]
}

extension CIRepository {
    /// The free attributes' names among the CIs of `filter` in the scope, in order: the export's
    /// last columns.
    public func freeAttributeNames(_ filter: CIFilter, scope: CIScope) async throws -> [String] {
        let search = try await search(filter)
        let rows = try await connection.query(
            """
            SELECT DISTINCT key FROM cis c, jsonb_object_keys(c.attributes) key
            WHERE c.attributes <> '{}' AND \(ciFiltered: search) AND \(ciVisibleTo: scope)
            ORDER BY key LIMIT 200
            """,
            logger: logger
        )
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    /// One page of an export, in the list's order (name, then id), after the CI `after`. A
    /// dependency outside the scope is left out, as an impact path leaves it.
    public func exportPage(_ filter: CIFilter, scope: CIScope, after: (name: String, id: Int64)?, limit: Int) async throws -> [CIExportRecord] {
        let search = try await search(filter)
        let strategy = try await pageStrategy(search, scope: scope, after: after)
        let rows = try await connection.query(
            """
            SELECT \(unescaped: CIRecord.columns), (
                SELECT coalesce(json_object_agg(kind, refs), '{}')::text FROM (
                    SELECT r.kind, json_agg(CASE WHEN c.source IS NOT DISTINCT FROM dependent.source AND c.external_id IS NOT NULL
                        THEN c.external_id ELSE c.name END ORDER BY c.name, c.id) AS refs
                    FROM ci_relations r JOIN cis dependent ON dependent.id = r.dependent_id JOIN cis c ON c.id = r.dependency_id
                    WHERE r.dependent_id = hit.id AND \(ciVisibleTo: scope)
                    GROUP BY r.kind
                ) kinds
            ) AS dependencies
            FROM \(ciPage: search, scope: scope, after: after, limit: limit, strategy: strategy) hit JOIN cis c ON c.id = hit.id \(unescaped: CIRecord.joins)
            ORDER BY c.name, c.id
            """,
            logger: logger
        )
        var records: [CIExportRecord] = []
        for try await row in rows {
            let text = try row.makeRandomAccess()["dependencies"].decode(String.self)
            let decoded = (try? JSONDecoder().decode([String: [String]].self, from: Data(text.utf8))) ?? [:]
            var dependencies: [CIRelationKind: [String]] = [:]
            for (kind, names) in decoded { if let kind = CIRelationKind(rawValue: kind) { dependencies[kind] = names } }
            records.append(CIExportRecord(record: try CIRecord(row: row), dependencies: dependencies))
        }
        return records
    }
}
