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

/// A message as the MTA hands it over: its envelope sender and its bytes.
public struct LMTPMessage: Sendable, Equatable {
    /// The reverse-path of `MAIL FROM`, empty for `<>` (a bounce, a receipt: never a person).
    public var sender: String
    public var bytes: [UInt8]

    public init(sender: String, bytes: [UInt8]) {
        self.sender = sender
        self.bytes = bytes
    }
}

/// One LMTP conversation (RFC 2033) as a state machine: lines in, replies and deliveries out. The
/// listener feeds it; the tests drive it without a socket.
public struct LMTPSession: Sendable {
    public enum Action: Sendable, Equatable {
        case reply(String)
        /// A whole message, dot-unstuffed; after handling it, call `delivered(_:)`.
        case deliver(LMTPMessage)
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
    var sender = ""
    var message: [UInt8] = []
    var overflow = false
    var lineTooLong = false

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
            sender = Self.reversePath(text)
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

    /// A line longer than the listener reads (`LMTPLineDecoder.maxLine`), already discarded: a
    /// command is answered at once, a message is refused for good once its end is reached, so the
    /// MTA bounces it instead of trying again.
    public mutating func receiveTooLongLine() -> [Action] {
        guard phase == .data else { return [.reply("500 5.5.6 Line too long")] }
        lineTooLong = true
        message = []
        return []
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
            if overflow || lineTooLong {
                let count = recipients
                let reply =
                    overflow ? "552 5.3.4 Message larger than \(maxBytes) bytes" : "554 5.6.0 Message has a line longer than \(LMTPLineDecoder.maxLine) bytes"
                phase = .ready
                resetEnvelope()
                return Array(repeating: .reply(reply), count: count)
            }
            return [.deliver(LMTPMessage(sender: sender, bytes: message))]
        }
        guard !overflow && !lineTooLong else { return [] }
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
        sender = ""
        message = []
        overflow = false
        lineTooLong = false
    }

    /// The address of `MAIL FROM:<address> ...`; empty for the null reverse-path `<>` of bounces,
    /// receipts and other automatic mail.
    static func reversePath(_ command: String) -> String {
        let argument = command.dropFirst("MAIL FROM:".count).drop { $0 == " " }
        guard argument.first == "<", let close = argument.firstIndex(of: ">") else {
            return String(argument.prefix { $0 != " " })
        }
        return String(argument[argument.index(after: argument.startIndex)..<close])
    }

    static func sizeParameter(_ command: String) -> Int? {
        command.uppercased().split(separator: " ").first { $0.hasPrefix("SIZE=") }.flatMap { Int($0.dropFirst(5)) }
    }
}
