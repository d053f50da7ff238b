import GuichetMail
import GuichetQueue
import GuichetServices
import Logging

/// The job handlers a `guichet work` process runs, by job kind.
public enum WorkerHandlers {
    /// Without `mail`, this worker sends no mail: mail jobs wait for a worker that does. The desk's
    /// notifier wakes workers for the jobs these handlers enqueue (the process runs it as a service).
    public static func all(
        desk: ServiceDesk, workerID: String, retention: Retention = Retention(), mail: MailSettings? = nil,
        autoCloseAfter: Duration = .seconds(10 * 86_400)
    ) -> [String: any JobHandler] {
        var handlers: [String: any JobHandler] = [
            AssignTicket.kind: AssignmentJobHandler(assignments: desk.assignments),
            SLATimer.kind: SLATimerJobHandler(sla: desk.sla),
            ProbeJobHandler.Probe.kind: ProbeJobHandler(client: desk.client, workerID: workerID),
            PruneJobHandler.kind: PruneJobHandler(queue: desk.queue, keepCompleted: retention.completed, keepDiscarded: retention.discarded),
            DeliverWebhook.kind: WebhookJobHandler(webhooks: desk.webhooks),
            WorkloadFoldJobHandler.kind: WorkloadFoldJobHandler(assignments: desk.assignments),
            SessionPurgeJobHandler.kind: SessionPurgeJobHandler(sessions: desk.sessions),
            DashboardRefreshJobHandler.kind: DashboardRefreshJobHandler(dashboards: desk.dashboards),
            AutoCloseJobHandler.kind: AutoCloseJobHandler(tickets: desk.tickets, after: autoCloseAfter),
            ImportInventory.kind: InventoryImportJobHandler(imports: desk.imports),
            CountSearchTrigrams.kind: SearchTrigramsJobHandler(cmdb: desk.cmdb),
            ProcessAlerts.kind: AlertJobHandler(alerts: desk.alerts),
            RaiseAlert.kind: WaitingAlertJobHandler(alerts: desk.alerts),
            SettleAlert.kind: SettleAlertJobHandler(alerts: desk.alerts),
        ]
        if let mail {
            handlers[SendMail.kind] = MailJobHandler(notifications: desk.notifications, smtp: SMTPClient(configuration: mail.smtp), sender: mail.sender)
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
        PeriodicJob(
            name: CountSearchTrigrams.kind, schedule: .every(.seconds(3_600)), job: CountSearchTrigrams().job
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

    /// The queues that a worker serves with fewer jobs at once than its concurrency by default:
    /// alerts, so that a storm of them leaves the processors to the tickets people open.
    public static let concurrencyByDefault = [ProcessAlerts.queue: 2]

    /// The queues these handlers listen on by default: dispatch, SLA timers, webhooks, imports,
    /// alerts, and `default` for probes and maintenance; and mail when the worker sends it.
    public static func queues(sendingMail: Bool) -> [String] {
        [AssignTicket.queue, SLATimer.queue, DeliverWebhook.queue, ImportInventory.queue, ProcessAlerts.queue, "default"]
            + (sendingMail ? [SendMail.queue] : [])
    }
}
