import Crypto
import Foundation

/// One versioned schema change, shipped as `Migrations/NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of the SQL text: an applied migration must never change.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The migrations this build of Guichet knows, in version order.
    public static func bundled() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError.resourcesMissing
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        let migrations = try files.map { file -> Migration in
            let stem = file.deletingPathExtension().lastPathComponent
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError.badFileName(file.lastPathComponent)
            }
            return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: try String(contentsOf: file, encoding: .utf8))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}

/// Why the schema cannot be used or migrated.
public enum MigrationError: Error, Equatable, CustomStringConvertible {
    case resourcesMissing
    case badFileName(String)
    case notMigrated
    case pending(versions: [Int])
    case newerThanKnown(version: Int, known: Int)
    case edited(version: Int, name: String)

    public var description: String {
        switch self {
        case .resourcesMissing:
            "The migrations are missing from this build of Guichet."
        case .badFileName(let name):
            "The migration file \(name) is not named NNNN_name.sql."
        case .notMigrated:
            "The database has no Guichet schema yet: run `guichet migrate` first."
        case .pending(let versions):
            "The database schema is behind this build (migrations \(versions.map(String.init).joined(separator: ", ")) not applied): run `guichet migrate`."
        case .newerThanKnown(let version, let known):
            "The database schema (version \(version)) is newer than this build knows (version \(known)): upgrade this node."
        case .edited(let version, let name):
            "Migration \(version) (\(name)) was changed after it was applied; restore its original text and add a new migration instead."
        }
    }
}
