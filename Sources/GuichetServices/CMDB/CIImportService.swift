import Foundation
import GuichetDomain
import GuichetQueue
import GuichetStore
import Logging

/// Inventories handed over by inventory tools (or an administrator), applied by a worker: each
/// row is checked, reconciled with the stored CI, and the whole file applied in one transaction,
/// so that an interrupted import leaves nothing half-applied.
public struct CIImportService: Sendable {
    /// The largest file taken: the whole fleet (64,000 CIs) is about 15 MB of CSV.
    public static let maxBytes = 64 * 1_048_576

    let database: Database
    let transactions: Transactions
    let logger: Logger

    public init(database: Database, notifier: JobNotifier, logger: Logger) {
        self.database = database
        transactions = Transactions(database: database, notifier: notifier)
        self.logger = logger
    }

    /// Stores an inventory and enqueues its import, in one transaction.
    public func submit(_ content: String, format: InventoryFile.Format, source: String, full: Bool, by principal: Principal) async throws -> CIImportView {
        guard AccessPolicy.mayImportInventory(principal) else {
            throw ServiceError.forbidden("Inventories are handed over with an inventory token or by an administrator.")
        }
        try Self.check(source: source)
        try Self.glance(content, format: format)
        let id = try await transactions.run { work in
            let id = try await CIImportRepository(connection: work.connection, logger: logger).insert(
                source: source, full: full, format: format, submittedBy: principal.personID, content: content
            )
            try await work.enqueue(ImportInventory(importId: id).job)
            return id
        }
        logger.info("inventory received", metadata: ["import": "\(id)", "source": "\(source)", "bytes": "\(content.utf8.count)"])
        return try await status(id, for: principal)
    }

    /// Where an import stands; its submitter, administrators and staff may read it.
    public func status(_ id: Int64, for principal: Principal) async throws -> CIImportView {
        let record = try await database.client.withConnection { try await CIImportRepository(connection: $0, logger: logger).find(id: id) }
        guard let record, record.submittedBy == principal.personID || principal.isStaff else {
            throw ServiceError.notFound("No import \(id) of yours is known.")
        }
        return CIImportView(record)
    }

    /// Records an inventory given on the command line, to run at once by `run`.
    public func record(_ content: String, format: InventoryFile.Format, source: String, full: Bool) async throws -> Int64 {
        try Self.check(source: source)
        try Self.glance(content, format: format)
        return try await database.client.withConnection {
            try await CIImportRepository(connection: $0, logger: logger).insert(source: source, full: full, format: format, submittedBy: nil, content: content)
        }
    }

    /// The demo's fleet for the establishments of the directory.
    public func demoFleet() async throws -> DemoFleet {
        let establishments = try await database.client.withConnection { try await CIRepository(connection: $0, logger: logger).establishments() }
        return DemoFleet(establishments: establishments.map { DemoFleet.Establishment(code: $0.code, name: $0.name) })
    }

    /// How many CIs came from `source`.
    public func count(source: String) async throws -> Int {
        try await database.client.withConnection { try await CIRepository(connection: $0, logger: logger).count(source: source) }
    }

    /// Applies an import: `progress` hears the rows done and the rows in all.
    @discardableResult
    public func run(_ id: Int64, progress: @Sendable (Int, Int) async -> Void = { _, _ in }) async throws -> CIImportView? {
        let record = try await database.client.withConnection { try await CIImportRepository(connection: $0, logger: logger).find(id: id) }
        guard let record else { return nil }
        guard let content = try await database.client.withConnection({ try await CIImportRepository(connection: $0, logger: logger).start(id: id) })
        else { return CIImportView(record) }
        let started = ContinuousClock.now
        do {
            let (rows, unreadable) = try InventoryFile.rows(of: content, format: record.format)
            var rejected = unreadable.map { RejectedLine(line: $0.line, field: nil, reason: "This line \($0.reason).") }
            let total = rows.count + unreadable.count
            await progress(0, total)
            let (staged, refused, kept) = try await prepare(rows)
            rejected += refused
            logger.debug("inventory read and checked", metadata: ["import": "\(id)", "rows": "\(total)", "took": "\(started.duration(to: .now))"])
            let applied = try await database.transaction { connection in
                try await CIRepository(connection: connection, logger: logger).apply(
                    staged, source: record.source, full: record.full, kept: kept, actorID: record.submittedBy,
                    detail: "import \(id) of \(record.source)"
                ) { done in
                    try await database.client.withConnection {
                        try await CIImportRepository(connection: $0, logger: logger).progress(id: id, total: total, processed: done + refused.count)
                    }
                    await progress(done + refused.count, total)
                }
            }
            rejected += applied.unresolved.map {
                RejectedLine(line: $0.line, field: $0.kind.rawValue, reason: "'\($0.reference)' names no CI; the row's CI was kept without this relation.")
            }
            rejected.sort { $0.line < $1.line }
            // the fleet's search text changed: which trigrams most CIs share is counted again by a worker
            try await transactions.run { work in
                try await CIImportRepository(connection: work.connection, logger: logger).finish(
                    id: id, applied: applied, total: total, rejected: try Self.json(rejected)
                )
                try await work.enqueue(CountSearchTrigrams().job)
            }
            await progress(total, total)
            logger.notice(
                "inventory imported",
                metadata: [
                    "import": "\(id)", "source": "\(record.source)", "created": "\(applied.created)", "updated": "\(applied.updated)",
                    "unchanged": "\(applied.unchanged)", "retired": "\(applied.retired)", "rejected": "\(rejected.count)",
                    "took": "\(started.duration(to: .now))",
                ]
            )
        } catch let refusal as InventoryFile.Refusal {
            try await database.client.withConnection { try await CIImportRepository(connection: $0, logger: logger).fail(id: id, error: refusal.description) }
        }
        let done = try await database.client.withConnection { try await CIImportRepository(connection: $0, logger: logger).find(id: id) }
        return done.map(CIImportView.init)
    }

    /// The rows as CIs to stage, the rows refused with why, and the external ids of refused rows
    /// (a full import keeps their CIs).
    private func prepare(_ rows: [InventoryFile.Row]) async throws -> ([StagedCI], [RejectedLine], [String]) {
        var drafts: [(line: Int, draft: CIDraft)] = []
        var refused: [RejectedLine] = []
        var kept: [String] = []
        var seen: [String: Int] = [:]
        for row in rows {
            switch InventoryRow.draft(row.values) {
            case .failure(let refusal):
                refused.append(RejectedLine(line: row.line, field: refusal.field, reason: "\(refusal.field) \(refusal.reason)."))
                if let external = row.values["external_id"] { kept.append(external) }
            case .success(let draft):
                guard let external = draft.externalID else {
                    refused.append(RejectedLine(line: row.line, field: "external_id", reason: "external_id is missing: each row names the CI's id in its inventory."))
                    continue
                }
                if let first = seen[external] {
                    refused.append(RejectedLine(line: row.line, field: "external_id", reason: "external_id '\(external)' is on line \(first) already."))
                    continue
                }
                seen[external] = row.line
                drafts.append((row.line, draft))
            }
        }
        let codes = Set(drafts.flatMap { [$0.draft.establishment, $0.draft.owner].compactMap { $0 } })
        let organizations = try await database.client.withConnection {
            try await CIRepository(connection: $0, logger: logger).organizations(codes: Array(codes))
        }
        var staged: [StagedCI] = []
        for (line, draft) in drafts {
            var establishmentID: Int64?
            if let code = draft.establishment {
                guard let found = organizations[code], found.isEstablishment else {
                    refused.append(RejectedLine(line: line, field: "establishment", reason: "establishment: no establishment has the code '\(code)'."))
                    kept.append(draft.externalID ?? "")
                    continue
                }
                establishmentID = found.id
            }
            var ownerID: Int64?
            if let code = draft.owner {
                guard let found = organizations[code] else {
                    refused.append(RejectedLine(line: line, field: "owner", reason: "owner: no organisation has the code '\(code)'."))
                    kept.append(draft.externalID ?? "")
                    continue
                }
                ownerID = found.id
            }
            let values = CIValues(
                ciClass: draft.ciClass, name: draft.name, status: draft.status, establishmentID: establishmentID, room: draft.room, ownerID: ownerID,
                attributes: draft.attributes, externalID: draft.externalID, minimumUp: draft.minimumUp
            )
            staged.append(StagedCI(line: line, values: values, dependencies: draft.dependencies))
        }
        return (staged, refused, kept)
    }

    static func check(source: String) throws {
        guard (1...50).contains(source.count), source.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ServiceError.invalid("source", "The source names the inventory tool in 1 to 50 letters, digits, '-', '_' or '.' (ocs, glpi, sccm).")
        }
    }

    /// Refuses at once a file that is not the format it says: a CSV without the columns every row
    /// needs, JSON lines whose first line is no object.
    static func glance(_ content: String, format: InventoryFile.Format) throws {
        let start = content.drop { $0.isWhitespace }
        let first = start.prefix { !$0.isNewline }
        guard !first.isEmpty else { throw ServiceError.invalid("file", "The file is empty.") }
        switch format {
        case .csv:
            let header = Set(InventoryFile.columns(ofHeader: String(first)))
            let missing = ["external_id", "class", "name"].filter { !header.contains($0) }
            guard missing.isEmpty else {
                throw ServiceError.invalid("file", "The first line of a CSV file names its columns; \(missing.joined(separator: ", ")) is missing from it.")
            }
        case .jsonl:
            guard (try? JSONSerialization.jsonObject(with: Data(first.utf8))) is [String: Any] else {
                throw ServiceError.invalid("file", "The first line is not a JSON object: the file is not JSON lines.")
            }
        }
    }

    static func json(_ rejected: [RejectedLine]) throws -> String {
        String(decoding: try JSONCoding.encoder().encode(rejected), as: UTF8.self)
    }
}

/// A line of an inventory that was not applied, or applied without one of its relations.
public struct RejectedLine: Sendable, Equatable, Codable {
    public var line: Int
    public var field: String?
    public var reason: String
}

/// An import as the API shows it.
public struct CIImportView: Sendable, Equatable, Codable {
    public var id: Int64
    public var url: String
    public var source: String
    public var mode: String
    public var format: InventoryFile.Format
    public var state: CIImportRecord.State
    public var totalRows: Int?
    public var processedRows: Int
    public var created: Int
    public var updated: Int
    public var unchanged: Int
    public var retired: Int
    public var rejected: [RejectedLine]
    public var error: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    init(_ record: CIImportRecord) {
        id = record.id
        url = "/api/v1/cis/imports/\(record.id)"
        source = record.source
        mode = record.full ? "full" : "delta"
        format = record.format
        state = record.state
        totalRows = record.totalRows
        processedRows = record.processedRows
        created = record.created
        updated = record.updated
        unchanged = record.unchanged
        retired = record.retired
        rejected = (try? JSONCoding.decoder().decode([RejectedLine].self, from: Data(record.rejected.utf8))) ?? []
        error = record.error
        createdAt = record.createdAt
        startedAt = record.startedAt
        finishedAt = record.finishedAt
    }
}
