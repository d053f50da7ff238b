import GuichetMail
import PostgresNIO

extension InboundMailService {
    /// What the LMTP listener answers the MTA for `message`: accepted, bounced with the reason
    /// (a message to refuse, or one the database refuses as data, which no retry would change), or
    /// deferred for a failure of ours, so that the MTA tries again later.
    public func verdict(for message: LMTPMessage) async -> LMTPVerdict {
        do {
            switch try await receive(message.bytes, envelopeSender: message.sender) {
            case .opened(let ref): return .accepted("Ticket \(ref) opened")
            case .commented(let ref, let reopened): return .accepted(reopened ? "Ticket \(ref) reopened" : "Added to ticket \(ref)")
            case .duplicate: return .accepted("Already received")
            case .ignored(let reason): return .accepted("Ignored: \(reason)")
            case .unknownSender: return .accepted("Unknown sender: nothing recorded")
            }
        } catch let error as InboundMailError {
            return .refused("Message refused: \(error)")
        } catch let error as PSQLError where error.serverInfo?[.sqlState]?.hasPrefix("22") == true {
            // data exception: this message as it is can never be recorded
            logger.error("mail refused by the database as data", metadata: ["error": "\(String(reflecting: error))"])
            return .refused("Message refused: it holds data that cannot be recorded")
        } catch {
            logger.error("mail could not be recorded; the MTA will retry", metadata: ["error": "\(String(reflecting: error))"])
            return .deferred("Temporary failure, try again later")
        }
    }
}
