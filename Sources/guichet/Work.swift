import ArgumentParser
import Foundation
import GuichetQueue
import GuichetStore
import GuichetWorker
import Logging
import PostgresNIO
import ServiceLifecycle

/// `guichet work`: a worker node running queued jobs. Run as many as the load needs.
struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a worker node.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Comma-separated queues to serve (env GUICHET_WORKER_QUEUES, default all).")
    var queues: String?

    @Option(help: "Jobs run at once (env GUICHET_WORKER_CONCURRENCY, default 8).")
    var concurrency: Int?

    @Option(name: .customLong("worker-id"), help: "Name in job leases (env GUICHET_WORKER_ID, default host:pid).")
    var workerID: String?

    func run() async throws {
        let logger = try common.logger(label: "guichet.work")
        let url = try common.database()
        let concurrency = concurrency ?? Environment.value("GUICHET_WORKER_CONCURRENCY").flatMap(Int.init) ?? 8
        guard (1...256).contains(concurrency) else { throw ValidationError("The concurrency is between 1 and 256.") }
        let queueList = (queues ?? Environment.value("GUICHET_WORKER_QUEUES")).map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } ?? WorkerHandlers.queues
        let id = workerID ?? Environment.value("GUICHET_WORKER_ID") ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        try await verifySchema(url, logger: logger)

        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let database = Database(client: client, logger: logger)
        let worker = JobWorker(
            queue: JobQueue(client: client, logger: logger),
            handlers: WorkerHandlers.all(database: database, logger: logger),
            configuration: JobWorkerConfiguration(workerID: id, queues: queueList, concurrency: concurrency),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: client), .init(service: worker)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
