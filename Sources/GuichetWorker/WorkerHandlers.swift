import GuichetQueue
import GuichetServices
import GuichetStore
import Logging

/// The job handlers a `guichet work` process runs, by job kind.
public enum WorkerHandlers {
    public static func all(database: Database, workerID: String, retention: Retention = Retention(), logger: Logger) -> [String: any JobHandler] {
        let queue = JobQueue(client: database.client, logger: logger)
        return [
            TicketService.assignmentKind: AssignmentJobHandler(assignments: AssignmentService(database: database, logger: logger)),
            SLATimer.kind: SLATimerJobHandler(sla: SLAService(database: database, logger: logger)),
            ProbeJobHandler.kind: ProbeJobHandler(client: database.client, workerID: workerID),
            PruneJobHandler.kind: PruneJobHandler(queue: queue, keepCompleted: retention.completed, keepDiscarded: retention.discarded),
        ]
    }

    /// The jobs enqueued on a schedule by the cluster's periodic leader.
    public static let periodic = [
        PeriodicJob(name: "queue.prune", schedule: .every(.seconds(60)), job: NewJob(queue: "default", kind: PruneJobHandler.kind, maxAttempts: 3))
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

    /// The queues these handlers listen on by default: dispatch, SLA timers, and `default` for
    /// probes and maintenance.
    public static let queues = [TicketService.assignmentQueue, SLATimer.queue, "default"]
}
