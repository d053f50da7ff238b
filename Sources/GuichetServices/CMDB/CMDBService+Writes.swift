import Foundation
import GuichetDomain
import GuichetStore

extension CMDBService {
    /// Creates a CI (staff only); its creation is in the audit log.
    public func create(_ change: CIChange, by principal: Principal) async throws -> CIView {
        try Self.authorizeEdit(principal)
        let draft = try change.applied(to: nil)
        try Self.check(draft)
        let id = try await database.transaction { connection in
            let store = CIRepository(connection: connection, logger: logger)
            let values = try await Self.values(of: draft, source: nil, store: store)
            let id = try await store.insert(values)
            try await Self.relate(id, draft, source: nil, establishmentID: values.establishmentID, store: store)
            let created = try await store.find(id: id, scope: .all)
            try await AuditRepository(connection: connection, logger: logger).record(
                AuditEntry(
                    actorID: principal.personID, kind: "ci.created", objectType: "ci", objectID: "\(id)", after: try created.map(Self.json),
                    requestID: principal.requestID
                )
            )
            return id
        }
        logger.info("CI created", metadata: ["ci": "\(id)", "by": "\(principal.personID)"])
        return try await ci(id, for: principal)
    }

    /// Changes the fields `change` sends of a CI still at `expectedVersion` (staff only); the
    /// change, before and after, is in the audit log.
    public func update(_ id: Int64, _ change: CIChange, expectedVersion: Int, by principal: Principal) async throws -> CIView {
        try Self.authorizeEdit(principal)
        try await database.transaction { connection in
            let store = CIRepository(connection: connection, logger: logger)
            guard let record = try await store.find(id: id, scope: .all, lock: true) else { throw Self.notFound(id) }
            guard record.version == expectedVersion else { throw ServiceError.versionMismatch(current: record.version) }
            let draft = try change.applied(to: CIDraft(record))
            try Self.check(draft)
            var values = try await Self.values(of: draft, source: record.source, store: store)
            values.externalID = record.externalID
            guard try await store.update(id: id, values, expectedVersion: expectedVersion) != nil else {
                throw ServiceError.versionMismatch(current: record.version + 1)
            }
            try await Self.relate(id, draft, source: record.source, establishmentID: values.establishmentID, store: store)
            let updated = try await store.find(id: id, scope: .all)
            try await AuditRepository(connection: connection, logger: logger).record(
                AuditEntry(
                    actorID: principal.personID, kind: "ci.updated", objectType: "ci", objectID: "\(id)", before: try Self.json(record),
                    after: try updated.map(Self.json), requestID: principal.requestID
                )
            )
        }
        return try await ci(id, for: principal)
    }

    static func authorizeEdit(_ principal: Principal) throws {
        guard AccessPolicy.mayEditFleet(principal) else { throw ServiceError.forbidden("Only the service centre's staff change the fleet.") }
    }

    static func check(_ draft: CIDraft) throws {
        let problems = draft.problems
        guard problems.isEmpty else {
            throw ServiceError.validation(problems.map { FieldProblem(field: $0.field, message: "\($0.field) \($0.reason).") })
        }
    }

    /// The stored values of a draft: its establishment and owner found by code.
    static func values(of draft: CIDraft, source: String?, store: CIRepository) async throws -> CIValues {
        let codes = [draft.establishment, draft.owner].compactMap { $0 }
        let organizations = codes.isEmpty ? [:] : try await store.organizations(codes: codes)
        var establishmentID: Int64?
        if let code = draft.establishment {
            guard let found = organizations[code], found.isEstablishment else {
                throw ServiceError.invalid("establishment", "No establishment has the code '\(code)'.")
            }
            establishmentID = found.id
        }
        var ownerID: Int64?
        if let code = draft.owner {
            guard let found = organizations[code] else { throw ServiceError.invalid("owner", "No organisation has the code '\(code)'.") }
            ownerID = found.id
        }
        return CIValues(
            ciClass: draft.ciClass, name: draft.name, status: draft.status, establishmentID: establishmentID, room: draft.room, ownerID: ownerID,
            attributes: draft.attributes, source: source, externalID: draft.externalID, minimumUp: draft.minimumUp
        )
    }

    /// The relations a draft names (its uplinks, its host), replacing those of the same kind.
    static func relate(_ id: Int64, _ draft: CIDraft, source: String?, establishmentID: Int64?, store: CIRepository) async throws {
        for (kind, references) in draft.dependencies.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            var others: [(id: Int64, port: String?)] = []
            for reference in references {
                guard let other = try await store.resolve(reference, source: source, establishmentID: establishmentID), other != id else {
                    throw ServiceError.invalid(kind.rawValue, "No other CI is named '\(reference)' (give its id, its external id or its name).")
                }
                others.append((other, nil))
            }
            try await store.replaceDependencies(of: id, kind: kind, with: others)
        }
    }

    static func json(_ record: CIRecord) throws -> String {
        String(decoding: try JSONCoding.encoder().encode(CIView(record)), as: UTF8.self)
    }
}

extension CIDraft {
    /// A stored CI as a draft, for a change to apply to.
    init(_ record: CIRecord) {
        self.init(
            ciClass: record.ciClass, name: record.name, status: record.status, establishment: record.establishment?.code, room: record.room,
            owner: record.owner?.code, attributes: record.attributes, externalID: record.externalID, minimumUp: record.minimumUp
        )
    }
}
