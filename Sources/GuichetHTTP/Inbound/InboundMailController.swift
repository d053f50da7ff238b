import Foundation
import GuichetDomain
import GuichetMail
import GuichetServices
import HTTPTypes
import Hummingbird

/// `POST /api/v1/inbound/email`: a raw RFC 5322 message handed over by a mail gateway, with an
/// administrator's token. Answers what became of it; a message to refuse is a 422 with the reason.
struct InboundMailController {
    let inbound: InboundMailService

    static let maxBytes = MIMEParser.Limits().maxBytes

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.post, "/inbound/email", in: group, prefix: prefix, handler: receive)
    }

    struct Answer: Encodable {
        let outcome: String
        let ref: String?
        let reopened: Bool?
        let detail: String?
    }

    @Sendable func receive(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard AccessPolicy.mayAdminister(principal) else {
            throw Problem(type: "forbidden", title: "Forbidden", status: .forbidden, detail: "Only a mail gateway with an administrator's token may hand over mail.")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBytes)
        } catch {
            throw Problem(
                type: "too-large", title: "Message too large", status: .contentTooLarge, detail: "A message is at most \(Self.maxBytes / 1_048_576) MiB."
            )
        }
        guard body.readableBytes > 0 else { throw Problem.badRequest("The body is the raw message (message/rfc822); it is empty.") }
        let outcome: InboundOutcome
        do {
            outcome = try await inbound.receive(Array(buffer: body))
        } catch let error as InboundMailError {
            throw Problem(type: "mail-refused", title: "Message refused", status: .unprocessableContent, detail: "The message was refused: \(error).")
        }
        let answer: Answer =
            switch outcome {
            case .opened(let ref): Answer(outcome: "opened", ref: ref, reopened: nil, detail: nil)
            case .commented(let ref, let reopened): Answer(outcome: "commented", ref: ref, reopened: reopened, detail: nil)
            case .duplicate: Answer(outcome: "duplicate", ref: nil, reopened: nil, detail: "This Message-ID was received before.")
            case .ignored(let reason): Answer(outcome: "ignored", ref: nil, reopened: nil, detail: reason)
            case .unknownSender(let answered):
                Answer(outcome: "unknown_sender", ref: nil, reopened: nil, detail: answered ? "The sender was answered." : "The sender was answered earlier today.")
            }
        return try TicketsController.json(answer)
    }
}
