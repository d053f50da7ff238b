import ArgumentParser
import Foundation
import GuichetHTTP
import GuichetMail
import GuichetQueue
import GuichetServices
import GuichetStore
import GuichetWorker
import Logging
import Metrics
import NIOCore
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// `guichet work`: a worker node running queued jobs. Run as many as the load needs.
struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a worker node.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Queues to serve, each with its concurrency: assignment=8,notifications=4 (env GUICHET_WORKER_QUEUES, default all, alerts two at a time).")
    var queues: String?

    @Option(help: "Jobs run at once per queue without its own figure (env GUICHET_WORKER_CONCURRENCY, default 8).")
    var concurrency: Int?

    @Option(
        name: .customLong("drain-seconds"),
        help: "On SIGTERM, how long running jobs may take to finish before they are given back (env GUICHET_WORKER_DRAIN_SECONDS, default 30)."
    )
    var drainSeconds: Double?

    @Option(
        name: .customLong("lease-seconds"),
        help: "How long a claimed job is held without a heartbeat before another worker rescues it (env GUICHET_WORKER_LEASE_SECONDS, default 30)."
    )
    var leaseSeconds: Double?

    @Option(
        name: .customLong("job-timeout-seconds"),
        help: "How long one attempt of a job may run before it counts as failed (env GUICHET_JOB_TIMEOUT_SECONDS, default 300)."
    )
    var jobTimeoutSeconds: Double?

    @Option(
        name: .customLong("poll-seconds"),
        help: "How often an idle queue is read when no notification came; jobs are announced as they commit (env GUICHET_WORKER_POLL_SECONDS, default 1)."
    )
    var pollSeconds: Double?

    @Option(name: .customLong("retain-minutes"), help: "How long completed jobs are kept (env GUICHET_JOBS_RETAIN_MINUTES, default 60).")
    var retainMinutes: Double?

    @Option(help: "Address of the health and metrics server (env GUICHET_HTTP_HOST, default 127.0.0.1).")
    var host: String?

    @Option(
        name: .customLong("monitor-port"),
        help: "Port of the health and metrics server, 0 for none (env GUICHET_WORKER_MONITOR_PORT, default 8091)."
    )
    var monitorPort: Int?

    @Option(name: .customLong("smtp-url"), help: "Where notifications are sent: smtp://user:password@host:port (env GUICHET_SMTP_URL; none: no mail).")
    var smtpURL: String?

    @Option(name: .customLong("mail-from"), help: "The sender of notifications (env GUICHET_MAIL_FROM, default guichet@localhost).")
    var mailFrom: String?

    @Option(name: .customLong("public-url"), help: "The address users reach through the load balancer, for links in mails (env GUICHET_PUBLIC_URL).")
    var publicURL: String?

    @Option(
        name: .customLong("autoclose-days"),
        help: "Days after which a resolved ticket nobody answered closes by itself (env GUICHET_AUTOCLOSE_DAYS, default 10)."
    )
    var autoCloseDays: Double?

    @Option(name: .customLong("worker-id"), help: "Name in job leases (env GUICHET_WORKER_ID, default host:pid).")
    var workerID: String?

    func run() async throws {
        let logger = try common.logger(label: "guichet.work")
        let url = try common.database()
        let concurrency = concurrency ?? Environment.value("GUICHET_WORKER_CONCURRENCY").flatMap(Int.init) ?? 8
        guard (1...256).contains(concurrency) else { throw ValidationError("The concurrency is between 1 and 256.") }
        let mail = try mailSettings()
        let queueList: [QueueConcurrency]
        do {
            let defaults = WorkerHandlers.queues(sendingMail: mail != nil)
                .map { name in WorkerHandlers.concurrencyByDefault[name].map { "\(name)=\($0)" } ?? name }.joined(separator: ",")
            queueList = try QueueConcurrency.parse(queues ?? Environment.value("GUICHET_WORKER_QUEUES") ?? defaults, defaultConcurrency: concurrency)
        } catch {
            throw ValidationError(error.description)
        }
        let drain = drainSeconds ?? Environment.value("GUICHET_WORKER_DRAIN_SECONDS").flatMap(Double.init) ?? 30
        let lease = leaseSeconds ?? Environment.value("GUICHET_WORKER_LEASE_SECONDS").flatMap(Double.init) ?? 30
        guard lease >= 1 else { throw ValidationError("The lease is at least one second.") }
        let jobTimeout = jobTimeoutSeconds ?? Environment.value("GUICHET_JOB_TIMEOUT_SECONDS").flatMap(Double.init) ?? 300
        let poll = pollSeconds ?? Environment.value("GUICHET_WORKER_POLL_SECONDS").flatMap(Double.init) ?? 1
        guard (0.01...3600).contains(poll) else { throw ValidationError("The poll interval is between 0.01 and 3600 seconds.") }
        let retainMinutes = retainMinutes ?? Environment.value("GUICHET_JOBS_RETAIN_MINUTES").flatMap(Double.init) ?? 60
        let id = workerID ?? Environment.value("GUICHET_WORKER_ID") ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        let monitorPortText = monitorPort.map(String.init) ?? Environment.value("GUICHET_WORKER_MONITOR_PORT") ?? "8091"
        guard let monitorPort = Int(monitorPortText), (0...65535).contains(monitorPort) else {
            throw ValidationError("The monitor port '\(monitorPortText)' is not a port number.")
        }
        try await verifySchema(url, logger: logger)
        if mail == nil { logger.notice("no GUICHET_SMTP_URL: this worker sends no mail; notifications wait for a worker that does") }

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(makeMetricsFactory(registry: registry))
        let autoClose = autoCloseDays ?? Environment.value("GUICHET_AUTOCLOSE_DAYS").flatMap(Double.init) ?? 10
        guard autoClose > 0 else { throw ValidationError("The auto-close delay is a positive number of days.") }
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let notifier = JobNotifier(client: client, logger: logger)
        let desk = ServiceDesk(
            database: Database(client: client, logger: logger), notifier: notifier, publicURL: publicURL ?? Environment.value("GUICHET_PUBLIC_URL"),
            secrets: try common.secrets(), logger: logger
        )
        let worker = JobWorker(
            queue: desk.queue,
            handlers: WorkerHandlers.all(
                desk: desk, workerID: id, retention: .init(completed: .seconds(Int64(retainMinutes * 60))), mail: mail,
                autoCloseAfter: .seconds(Int64(autoClose * 86_400))
            ),
            configuration: JobWorkerConfiguration(
                workerID: id, queues: queueList, pollInterval: .milliseconds(Int64(poll * 1000)), lease: .milliseconds(Int64(lease * 1000)),
                jobTimeout: .milliseconds(Int64(jobTimeout * 1000))
            ),
            logger: logger
        )
        let scheduler = PeriodicScheduler(
            queue: desk.queue, jobs: WorkerHandlers.periodic, holder: id, logger: logger
        )
        // Shutdown runs in reverse: readiness turns false, the scheduler and the worker stop (running
        // jobs finish), then the monitoring server and the database.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: client), .init(service: notifier),
        ]
        let state = NodeState()
        if monitorPort != 0 {
            let monitor = buildMonitorApplication(
                desk: desk, state: state, registry: registry, queues: queueList.map(\.queue), host: host ?? Environment.value("GUICHET_HTTP_HOST") ?? "127.0.0.1",
                port: monitorPort, logger: logger
            )
            services.append(.init(service: monitor))
        }
        services += [.init(service: worker), .init(service: scheduler), .init(service: DrainGate(state: state, delay: .zero, logger: logger))]
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(drain * 1000))
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw StartupFailure(
                description: "The monitor port \(monitorPort) is taken: give each worker on this host its own --monitor-port (0 for none)."
            )
        }
    }

    /// Mail is sent when an SMTP server is named; a malformed URL or sender stops the worker with the reason.
    private func mailSettings() throws -> WorkerHandlers.MailSettings? {
        guard let text = smtpURL ?? Environment.value("GUICHET_SMTP_URL"), !text.isEmpty else { return nil }
        let smtp: SMTPConfiguration
        do {
            smtp = try SMTPConfiguration(url: text)
        } catch {
            throw ValidationError(error.description)
        }
        let fromText = mailFrom ?? Environment.value("GUICHET_MAIL_FROM") ?? "guichet@localhost"
        guard let sender = MailAddress(fromText, name: "Guichet") else {
            throw ValidationError("GUICHET_MAIL_FROM: '\(fromText)' is not an e-mail address.")
        }
        return WorkerHandlers.MailSettings(smtp: smtp, sender: sender)
    }
}
