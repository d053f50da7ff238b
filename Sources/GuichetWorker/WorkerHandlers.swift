import GuichetMail
import GuichetQueue
import GuichetServices
import GuichetStore
import Logging

/// The job handlers a `guichet work` process runs, by job kind.
public enum WorkerHandlers {
    /// Without `mail`, this worker sends no mail: mail jobs wait for a worker that does. `notifier`
    /// wakes workers for the jobs these handlers enqueue (the process runs it as a service);
    /// `secrets` opens webhooks' sealed secrets.
    public static func all(
        database: Database, notifier: JobNotifier, workerID: String, retention: Retention = Retention(), mail: MailSettings? = nil,
        publicURL: String? = nil, autoCloseAfter: Duration = .seconds(10 * 86_400), secrets: SecretBox?, logger: Logger
    ) -> [String: any JobHandler] {
        let queue = JobQueue(client: database.client, logger: logger)
        var handlers: [String: any JobHandler] = [
            TicketService.assignmentKind: AssignmentJobHandler(
                assignments: AssignmentService(database: database, logger: logger, publicURL: publicURL)
            ),
            SLATimer.kind: SLATimerJobHandler(sla: SLAService(database: database, logger: logger, publicURL: publicURL)),
            ProbeJobHandler.kind: ProbeJobHandler(client: database.client, workerID: workerID),
            PruneJobHandler.kind: PruneJobHandler(queue: queue, keepCompleted: retention.completed, keepDiscarded: retention.discarded),
            WebhookJobHandler.kind: WebhookJobHandler(database: database, secrets: secrets),
            WorkloadFoldJobHandler.kind: WorkloadFoldJobHandler(database: database),
            SessionPurgeJobHandler.kind: SessionPurgeJobHandler(sessions: SessionService(database: database, logger: logger)),
            DashboardRefreshJobHandler.kind: DashboardRefreshJobHandler(dashboards: DashboardService(database: database, logger: logger)),
            AutoCloseJobHandler.kind: AutoCloseJobHandler(
                tickets: TicketService(database: database, notifier: notifier, logger: logger, publicURL: publicURL),
                after: autoCloseAfter
            ),
        ]
        if let mail {
            handlers[TicketService.mailKind] = MailJobHandler(database: database, smtp: SMTPClient(configuration: mail.smtp), sender: mail.sender)
        }
        return handlers
    }

    /// Where notifications go out, and in whose name.
    public struct MailSettings: Sendable {
        public var smtp: SMTPConfiguration
        public var sender: MailAddress

        public init(smtp: SMTPConfiguration, sender: MailAddress) {
            self.smtp = smtp
            self.sender = sender
        }
    }

    /// The jobs enqueued on a schedule by the cluster's periodic leader.
    public static let periodic = [
        PeriodicJob(name: "queue.prune", schedule: .every(.seconds(60)), job: NewJob(queue: "default", kind: PruneJobHandler.kind, maxAttempts: 3)),
        PeriodicJob(
            name: "agents.workloads.fold", schedule: .every(.seconds(10)),
            job: NewJob(queue: "default", kind: WorkloadFoldJobHandler.kind, maxAttempts: 1)
        ),
        PeriodicJob(
            name: "sessions.purge", schedule: .every(.seconds(900)), job: NewJob(queue: "default", kind: SessionPurgeJobHandler.kind, maxAttempts: 3)
        ),
        PeriodicJob(
            name: "dashboards.refresh", schedule: .every(.seconds(60)),
            job: NewJob(queue: "default", kind: DashboardRefreshJobHandler.kind, maxAttempts: 1)
        ),
        PeriodicJob(
            name: "tickets.autoclose", schedule: .every(.seconds(600)), job: NewJob(queue: "default", kind: AutoCloseJobHandler.kind, maxAttempts: 3)
        ),
    ]

    /// How long finished jobs are kept before `queue.prune` deletes them.
    public struct Retention: Sendable {
        public var completed: Duration
        public var discarded: Duration

        public init(completed: Duration = .seconds(3_600), discarded: Duration = .seconds(30 * 86_400)) {
            self.completed = completed
            self.discarded = discarded
        }
    }

    /// The queues these handlers listen on by default: dispatch, SLA timers, webhooks, and `default`
    /// for probes and maintenance; and mail when the worker sends it.
    public static func queues(sendingMail: Bool) -> [String] {
        [TicketService.assignmentQueue, SLATimer.queue, WebhookJobHandler.queue, "default"] + (sendingMail ? [TicketService.mailQueue] : [])
    }
}
