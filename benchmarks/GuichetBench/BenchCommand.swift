import ArgumentParser
import Foundation
import GuichetStore
import Logging
import PostgresNIO

/// `guichet-bench`: load generators of the benchmarks; `benchmarks/run` drives them and prints tables.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guichet-bench",
        abstract: "Guichet's load generators; each prints one JSON object on standard output.",
        subcommands: [QueueBench.self, TicketsBench.self, TimersBench.self, DashboardsBench.self, CMDBBench.self, AlertsBench.self]
    )
}

/// A benchmark's connection to the database, with its own client.
func withBenchDatabase<Result: Sendable>(_ text: String, connections: Int, _ body: @Sendable (PostgresClient, Logger) async throws -> Result) async throws -> Result {
    var logger = Logger(label: "guichet.bench")
    logger.logLevel = .warning
    var configuration = try DatabaseURL(text).clientConfiguration
    configuration.options.maximumConnections = connections
    configuration.options.minimumConnections = min(connections, 8)
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        await Task.yield()
        return try await body(client, logger)
    }
}

func progress(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
