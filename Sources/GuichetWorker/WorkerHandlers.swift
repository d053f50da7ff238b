import GuichetQueue
import GuichetServices
import GuichetStore
import Logging

/// The job handlers a `guichet work` process runs, by job kind.
public enum WorkerHandlers {
    public static func all(database: Database, logger: Logger) -> [String: any JobHandler] {
        [
            TicketService.assignmentKind: AssignmentJobHandler(assignments: AssignmentService(database: database, logger: logger))
        ]
    }

    /// The queues these handlers listen on.
    public static let queues = [TicketService.assignmentQueue]
}
