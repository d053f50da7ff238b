import GuichetQueue

/// Dispatch of a ticket just opened (or put back to `new`): a team and an agent, by a worker.
public struct AssignTicket: JobParameters, Equatable {
    public static let queue = "assignment"
    public static let kind = "ticket.assign"

    public var ticketId: Int64

    public init(ticketId: Int64) {
        self.ticketId = ticketId
    }

    /// The job, one at a time per ticket.
    var job: NewJob { NewJob(self, uniqueKey: "assign:\(ticketId)") }
}
