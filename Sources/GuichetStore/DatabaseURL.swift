import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database` address; `?host=/socket/dir` connects through a
/// Unix socket and `?sslmode=disable|prefer|require` chooses TLS (disabled by default: the database
/// sits beside the nodes).
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public let username: String
    public let password: String?
    public let host: String
    public let port: Int
    public let database: String
    public let socketDirectory: String?
    public let sslMode: String

    public init(_ text: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw DatabaseURLError(reason: "it must start with postgres://")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? 5432
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty else { throw DatabaseURLError(reason: "it names no database") }
        database = path
        socketDirectory = query["host"].flatMap { $0.isEmpty ? nil : $0 }
        sslMode = query["sslmode"] ?? "disable"
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw DatabaseURLError(reason: "sslmode must be disable, prefer or require")
        }
    }

    /// The same server with another database (tests clone databases this way).
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy = DatabaseURL(copy, database: database)
        return copy
    }

    private init(_ other: DatabaseURL, database: String) {
        username = other.username
        password = other.password
        host = other.host
        port = other.port
        self.database = database
        socketDirectory = other.socketDirectory
        sslMode = other.sslMode
    }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)",
                username: username,
                password: password,
                database: database
            )
        } else {
            let tls: PostgresClient.Configuration.TLS =
                switch sslMode {
                case "require": .require(.makeClientConfiguration())
                case "prefer": .prefer(.makeClientConfiguration())
                default: .disable
                }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(5)
        // Guichet's statements each touch a few rows by their indexes; when an estimate runs high (a
        // lookup by values the planner cannot see), JIT compiling one took longer than running it
        // (25 ms against 2 for an outage's 65 CIs found at once)
        configuration.options.additionalStartupParameters = [("jit", "off")]
        return configuration
    }

    /// The address without its password, for logs and messages.
    public var description: String {
        let place = socketDirectory.map { "\($0) port \(port)" } ?? "\(host):\(port)"
        return "postgres://\(username)@\(place)/\(database)"
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "The database URL is not usable: \(reason)." }
}
