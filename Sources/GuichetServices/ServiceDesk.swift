import GuichetQueue
import GuichetStore
import Logging
import PostgresNIO

/// Every use case of Guichet over one database, as the API nodes and the workers call them: the
/// one door from the HTTP and worker layers to the store, built once by the process that wires
/// them (`guichet serve`, `guichet work`, the tests).
public struct ServiceDesk: Sendable {
    public let tickets: TicketService
    public let assignments: AssignmentService
    public let sla: SLAService
    public let sessions: SessionService
    public let passwordResets: PasswordResetService
    public let audit: AuditService
    public let console: ConsoleService
    public let catalogue: CatalogueService
    public let cmdb: CMDBService
    public let imports: CIImportService
    public let alerts: AlertService
    public let status: StatusBoard
    public let maintenance: MaintenanceService
    public let dashboards: DashboardService
    public let webhooks: WebhookService
    public let inbound: InboundMailService
    public let notifications: NotificationService
    public let health: HealthService
    /// The job queue, for its depth in the metrics and for the workers.
    public let queue: JobQueue
    /// The connection pool, for what works below the use cases (the queue's own handlers).
    public let client: PostgresClient
    public let publicURL: String?

    /// `secrets` seals webhooks' secrets (`GUICHET_SECRET_KEY`).
    public init(database: Database, notifier: JobNotifier, publicURL: String? = nil, secrets: SecretBox? = nil, logger: Logger) {
        tickets = TicketService(database: database, notifier: notifier, logger: logger, publicURL: publicURL)
        assignments = AssignmentService(database: database, notifier: notifier, logger: logger, publicURL: publicURL)
        sla = SLAService(database: database, notifier: notifier, logger: logger, publicURL: publicURL)
        sessions = SessionService(database: database, logger: logger)
        passwordResets = PasswordResetService(database: database, notifier: notifier, logger: logger, publicURL: publicURL)
        audit = AuditService(database: database, logger: logger)
        console = ConsoleService(database: database, logger: logger)
        catalogue = CatalogueService(database: database, logger: logger)
        cmdb = CMDBService(database: database, logger: logger)
        imports = CIImportService(database: database, notifier: notifier, logger: logger)
        alerts = AlertService(database: database, notifier: notifier, tickets: tickets, logger: logger)
        status = StatusBoard(database: database, logger: logger)
        maintenance = MaintenanceService(database: database, notifier: notifier, logger: logger)
        dashboards = DashboardService(database: database, logger: logger)
        webhooks = WebhookService(database: database, logger: logger, secrets: secrets)
        inbound = InboundMailService(tickets: tickets)
        notifications = NotificationService(database: database, logger: logger)
        health = HealthService(database: database)
        queue = JobQueue(client: database.client, logger: logger)
        client = database.client
        self.publicURL = publicURL
    }
}
