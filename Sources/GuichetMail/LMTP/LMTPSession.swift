/// What a handler answers for one delivered message: accepted, refused for good (the MTA bounces
/// it with the text) or deferred (the MTA tries again later).
public enum LMTPVerdict: Sendable, Equatable {
    case accepted(String)
    case refused(String)
    case deferred(String)

    var reply: String {
        switch self {
        case .accepted(let text): "250 2.0.0 \(Self.oneLine(text))"
        case .refused(let text): "550 5.6.0 \(Self.oneLine(text))"
        case .deferred(let text): "451 4.3.0 \(Self.oneLine(text))"
        }
    }

    static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 32 ? Character($0) : " " }.prefix(400))
    }
}

/// One LMTP conversation (RFC 2033) as a state machine: lines in, replies and deliveries out. The
/// listener feeds it; the tests drive it without a socket.
public struct LMTPSession: Sendable {
    public enum Action: Sendable, Equatable {
        case reply(String)
        /// A whole message, dot-unstuffed; after handling it, call `delivered(_:)`.
        case deliver([UInt8])
        case close
    }

    enum Phase {
        case greeted, ready, mail, data
    }

    let hostname: String
    let maxBytes: Int
    let maxRecipients = 100
    var phase = Phase.greeted
    var recipients = 0
    var message: [UInt8] = []
    var overflow = false

    public init(hostname: String, maxBytes: Int) {
        self.hostname = hostname
        self.maxBytes = maxBytes
    }

    public var greeting: String { "220 \(hostname) LMTP Guichet ready" }

    /// Handles one line, without its CRLF.
    public mutating func receive(line: [UInt8]) -> [Action] {
        if phase == .data { return receiveData(line) }
        let text = String(decoding: line, as: UTF8.self)
        let verb = text.split(separator: " ", maxSplits: 1).first.map { $0.uppercased() } ?? ""
        switch verb {
        case "LHLO":
            phase = .ready
            resetEnvelope()
            return [.reply("250-\(hostname)\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 SIZE \(maxBytes)")]
        case "MAIL":
            guard phase == .ready else { return [.reply("503 5.5.1 LHLO first, one transaction at a time")] }
            guard text.uppercased().hasPrefix("MAIL FROM:") else { return [.reply("501 5.5.4 Syntax: MAIL FROM:<address>")] }
            if let size = Self.sizeParameter(text), size > maxBytes { return [.reply("552 5.3.4 Message larger than \(maxBytes) bytes")] }
            phase = .mail
            return [.reply("250 2.1.0 Sender OK")]
        case "RCPT":
            guard phase == .mail else { return [.reply("503 5.5.1 MAIL first")] }
            guard text.uppercased().hasPrefix("RCPT TO:") else { return [.reply("501 5.5.4 Syntax: RCPT TO:<address>")] }
            guard recipients < maxRecipients else { return [.reply("452 4.5.3 Too many recipients")] }
            recipients += 1
            return [.reply("250 2.1.5 Recipient OK")]
        case "DATA":
            guard phase == .mail, recipients > 0 else { return [.reply("503 5.5.1 RCPT first")] }
            phase = .data
            return [.reply("354 Start mail input; end with <CRLF>.<CRLF>")]
        case "RSET":
            if phase != .greeted { phase = .ready }
            resetEnvelope()
            return [.reply("250 2.0.0 OK")]
        case "NOOP":
            return [.reply("250 2.0.0 OK")]
        case "QUIT":
            return [.reply("221 2.0.0 Bye"), .close]
        default:
            return [.reply("500 5.5.2 Command not recognised")]
        }
    }

    /// The replies for the message just handled: one per recipient, as LMTP wants.
    public mutating func delivered(_ verdict: LMTPVerdict) -> [Action] {
        let count = recipients
        phase = .ready
        resetEnvelope()
        return Array(repeating: .reply(verdict.reply), count: count)
    }

    private mutating func receiveData(_ line: [UInt8]) -> [Action] {
        if line == [46] {  // "." alone ends the message
            if overflow {
                let count = recipients
                phase = .ready
                resetEnvelope()
                return Array(repeating: .reply("552 5.3.4 Message larger than \(maxBytes) bytes"), count: count)
            }
            return [.deliver(message)]
        }
        guard !overflow else { return [] }
        let content = line.first == 46 ? line.dropFirst() : line[...]
        if message.count + content.count + 2 > maxBytes {
            overflow = true
            message = []
            return []
        }
        message += content
        message += [13, 10]
        return []
    }

    private mutating func resetEnvelope() {
        recipients = 0
        message = []
        overflow = false
    }

    static func sizeParameter(_ command: String) -> Int? {
        command.uppercased().split(separator: " ").first { $0.hasPrefix("SIZE=") }.flatMap { Int($0.dropFirst(5)) }
    }
}
