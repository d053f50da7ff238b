import ArgumentParser
import Foundation
import GuichetQueue
import GuichetStore
import Logging
import PostgresNIO

/// `guichet queue ...`: look at and act on the job queue.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Inspect and operate the job queue.",
        subcommands: [Stats.self, Retry.self, Discard.self, Cancel.self, Probe.self]
    )

    /// Runs `body` with a queue on the configured database.
    static func withQueue<Result: Sendable>(_ common: CommonOptions, _ body: @Sendable (JobQueue) async throws -> Result) async throws -> Result {
        let logger = try common.logger(label: "guichet.queue")
        let url = try common.database()
        return try await withDatabase(url, logger: logger) { client in
            try await body(JobQueue(client: client, logger: logger))
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print jobs per queue and state, waiting time and pickup latency.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let stats = try await QueueCommand.withQueue(common) { try await $0.stats() }
            let header = ["queue", "due", "scheduled", "running", "completed", "discarded", "cancelled", "oldest due", "pickup p50", "pickup p99"]
            let rows = stats.map { stat in
                [
                    stat.queue, "\(stat.due)", "\(stat.scheduled)", "\(stat.running)", "\(stat.completed)", "\(stat.discarded)",
                    "\(stat.cancelled)", stat.oldestDueSeconds.map { String(format: "%.1f s", $0) } ?? "-",
                    stat.pickupP50Milliseconds.map { String(format: "%.1f ms", $0) } ?? "-",
                    stat.pickupP99Milliseconds.map { String(format: "%.1f ms", $0) } ?? "-",
                ]
            }
            print(Table(header: header, rows: rows).rendered)
            if stats.isEmpty { print("(no jobs)") }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a discarded, cancelled or backing-off job again now (by id, or every one of a kind).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The job id.") var id: Int64?
        @Option(help: "Retry every discarded job of this kind.") var kind: String?

        func validate() throws {
            guard (id == nil) != (kind == nil) else { throw ValidationError("Name a job id or a --kind, not both.") }
        }

        func run() async throws {
            let (id, kind) = (self.id, self.kind)
            let retried = try await QueueCommand.withQueue(common) { try await $0.retry(jobID: id, kind: kind) }
            print(retried.isEmpty ? "No job could be retried." : "Due again now: \(retried.count) job(s).")
            if retried.isEmpty { throw ExitCode.failure }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give up on a pending job, keeping it with a reason.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The job id.") var id: Int64
        @Option(help: "Why.") var reason = "discarded by an operator"

        func run() async throws {
            let (id, reason) = (self.id, self.reason)
            let done = try await QueueCommand.withQueue(common) { try await $0.discard(jobID: id, reason: reason) }
            print(done ? "Job \(id) discarded." : "Job \(id) is not pending: nothing done.")
            if !done { throw ExitCode.failure }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a pending job.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The job id.") var id: Int64

        func run() async throws {
            let id = self.id
            let done = try await QueueCommand.withQueue(common) { try await $0.cancel(jobID: id) }
            print(done ? "Job \(id) cancelled." : "Job \(id) is not pending: nothing done.")
            if !done { throw ExitCode.failure }
        }
    }

    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enqueue probe jobs, which record each run in queue.probe_runs.")
        @OptionGroup var common: CommonOptions
        @Option(help: "How many.") var count = 1
        @Option(name: .customLong("sleep-ms"), help: "How long each one works.") var sleepMilliseconds = 0
        @Option(help: "The queue.") var queue = "default"

        func validate() throws {
            guard (1...1_000_000).contains(count) else { throw ValidationError("The count is between 1 and 1,000,000.") }
        }

        func run() async throws {
            let (count, sleep, queueName) = (self.count, self.sleepMilliseconds, self.queue)
            let jobs = (0..<count).map { _ in
                NewJob(ProbeJobHandler.Probe(sleepMs: sleep), queue: queueName, maxAttempts: 25)
            }
            let inserted = try await QueueCommand.withQueue(common) { try await $0.enqueue(many: jobs) }
            print("Enqueued \(inserted) probe job(s) on \(queueName).")
        }
    }
}

/// A plain text table for operators' terminals.
struct Table {
    let header: [String]
    let rows: [[String]]

    var rendered: String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
    }
}
