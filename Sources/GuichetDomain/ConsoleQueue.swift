/// The work queues of the agent console.
public enum ConsoleQueue: String, Sendable, CaseIterable {
    /// Open tickets the agent holds.
    case mine
    /// Tickets of the agent's teams that nobody holds yet.
    case team
    /// Every open ticket, most urgent first.
    case open
    /// Open tickets past an SLA target, or whose running clock reaches it within the hour.
    case breach
}
