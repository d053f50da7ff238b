import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Hands messages to an SMTP server: EHLO, STARTTLS (or TLS from the start), AUTH PLAIN or LOGIN
/// when credentials are given, MAIL, RCPT and DATA pipelined when the server offers PIPELINING,
/// dot-stuffed content. Certificates are verified. One connection per delivery: notifications
/// are sent by queue jobs, a few at a time. The TLS context (the system's authorities, read and
/// parsed) is built at the first delivery that needs it and kept for the next ones.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let tls: TLSContextCache

    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
        self.tls = TLSContextCache(configuration: configuration)
    }

    /// Delivers `message` to its recipients, or throws: `SMTPError.isPermanent` tells whether
    /// trying again could help.
    public func send(_ message: MailMessage) async throws {
        let configuration = self.configuration
        let tls = configuration.security == .never ? nil : try self.tls.context()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Self.deliver(message, configuration: configuration, tls: tls) }
            group.addTask {
                try await Task.sleep(for: configuration.timeout)
                throw SMTPError.timeout(configuration.timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    static func deliver(_ message: MailMessage, configuration: SMTPConfiguration, tls: NIOSSLContext?) async throws {
        let implicit = configuration.security == .implicit
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicit, let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: configuration.tlsHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let underlying = channel.channel
        try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(lines: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect(220, after: "connection")
            var capabilities = try await session.command("EHLO \(configuration.heloName)", expecting: 250).lines.dropFirst().map { $0.uppercased() }
            var secure = implicit
            if !secure, let tls, configuration.security != .never, capabilities.contains("STARTTLS") {
                _ = try await session.command("STARTTLS", expecting: 220)
                // the handler is made and added on the channel's event loop: it is not Sendable
                try await underlying.eventLoop.submit {
                    try underlying.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: tls, serverHostname: configuration.tlsHostname), position: .first
                    )
                }.get()
                // what the server said before TLS is forgotten (RFC 3207): ask again
                capabilities = try await session.command("EHLO \(configuration.heloName)", expecting: 250).lines.dropFirst().map { $0.uppercased() }
                secure = true
            }
            if configuration.security == .required && !secure { throw SMTPError.tlsUnavailable(configuration.host) }
            if let username = configuration.username, let password = configuration.password {
                guard secure || configuration.isLoopback else { throw SMTPError.authenticationNeedsTLS(configuration.host) }
                try await session.authenticate(username: username, password: password, offered: capabilities)
            }
            let envelope = ["MAIL FROM:<\(message.from.address)>"] + message.to.map { "RCPT TO:<\($0.address)>" } + ["DATA"]
            let expected = [250] + message.to.map { _ in 250 } + [354]
            if capabilities.contains("PIPELINING") {
                try await session.pipeline(envelope, expecting: expected)
            } else {
                for (command, code) in zip(envelope, expected) { _ = try await session.command(command, expecting: code) }
            }
            try await session.write(Self.dotStuffed(message.rendered()) + ".\r\n")
            try await session.expect(250, after: "message content")
            try? await session.write("QUIT\r\n")
        }
    }

    /// The client's TLS context, built once: it verifies the server's certificate against the
    /// system's authorities and the configured one. A failure (an unreadable CA file) is not kept,
    /// so that fixing the file is enough for the next delivery.
    final class TLSContextCache: Sendable {
        let configuration: SMTPConfiguration
        private let built = Mutex<NIOSSLContext?>(nil)

        init(configuration: SMTPConfiguration) {
            self.configuration = configuration
        }

        func context() throws -> NIOSSLContext {
            try built.withLock { built in
                if let built { return built }
                var tls = TLSConfiguration.makeClientConfiguration()
                if let caFile = configuration.caFile {
                    tls.additionalTrustRoots = [.file(caFile)]
                }
                let context = try NIOSSLContext(configuration: tls)
                built = context
                return context
            }
        }
    }

    /// A line that starts with a dot gets a second one, so that no line of the content ends DATA.
    static func dotStuffed(_ content: String) -> String {
        var text = content.hasSuffix("\r\n") ? content : content + "\r\n"
        if text.hasPrefix(".") { text = "." + text }
        return text.replacingOccurrences(of: "\r\n.", with: "\r\n..")
    }
}

/// One conversation with the server: commands out, replies in.
struct SMTPSession {
    struct Reply {
        let code: Int
        let lines: [String]
    }

    var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    mutating func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Reads one reply, its continuation lines (`250-...`) included.
    mutating func reply() async throws -> Reply {
        var texts: [String] = []
        while let line = try await lines.next() {
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError.malformedReply(line) }
            texts.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return Reply(code: code, lines: texts) }
        }
        throw SMTPError.connectionClosed
    }

    @discardableResult
    mutating func expect(_ code: Int, after command: String) async throws -> Reply {
        let reply = try await reply()
        guard reply.code == code else { throw SMTPError.rejected(command: command, code: reply.code, message: reply.lines.joined(separator: " ")) }
        return reply
    }

    /// `shownAs` replaces a command that carries credentials in errors.
    mutating func command(_ command: String, expecting code: Int, shownAs: String? = nil) async throws -> Reply {
        try await write(command + "\r\n")
        // RCPT may also answer 251 (forwarded)
        let reply = try await reply()
        guard reply.code == code || (code == 250 && reply.code == 251) else {
            throw SMTPError.rejected(command: shownAs ?? command, code: reply.code, message: reply.lines.joined(separator: " "))
        }
        return reply
    }

    /// Sends every command at once and then reads their replies in order (RFC 2920).
    mutating func pipeline(_ commands: [String], expecting codes: [Int]) async throws {
        try await write(commands.map { $0 + "\r\n" }.joined())
        var failure: SMTPError?
        for (command, code) in zip(commands, codes) {
            let reply = try await reply()
            if failure == nil && !(reply.code == code || (code == 250 && reply.code == 251)) {
                failure = .rejected(command: command, code: reply.code, message: reply.lines.joined(separator: " "))
            }
        }
        if let failure { throw failure }
    }

    mutating func authenticate(username: String, password: String, offered capabilities: [String]) async throws {
        let mechanisms = Set(capabilities.filter { $0.hasPrefix("AUTH") }.flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "=" }).dropFirst() }.map(String.init))
        if mechanisms.contains("PLAIN") {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            _ = try await command("AUTH PLAIN \(token)", expecting: 235, shownAs: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            _ = try await command("AUTH LOGIN", expecting: 334)
            _ = try await command(Data(username.utf8).base64EncodedString(), expecting: 334, shownAs: "AUTH LOGIN (user name)")
            _ = try await command(Data(password.utf8).base64EncodedString(), expecting: 235, shownAs: "AUTH LOGIN (password)")
        } else {
            throw SMTPError.rejected(command: "AUTH", code: 504, message: "the server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }
}

public enum SMTPError: Error, CustomStringConvertible {
    case rejected(command: String, code: Int, message: String)
    case malformedReply(String)
    case connectionClosed
    case timeout(Duration)
    case authenticationNeedsTLS(String)
    case tlsUnavailable(String)

    /// A 5xx answer: the same message would be refused again.
    public var isPermanent: Bool {
        switch self {
        case .rejected(_, let code, _): code >= 500
        case .authenticationNeedsTLS, .tlsUnavailable: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .rejected(let command, let code, let message): "the SMTP server answered \(code) to \(command): \(message)"
        case .malformedReply(let line): "the SMTP server sent a malformed reply: \(line.prefix(200))"
        case .connectionClosed: "the SMTP server closed the connection"
        case .timeout(let limit): "the SMTP delivery took longer than \(limit)"
        case .authenticationNeedsTLS(let host):
            "\(host) offers no STARTTLS: credentials go in clear only to a relay on this machine"
        case .tlsUnavailable(let host): "\(host) offers no STARTTLS and the configuration requires it"
        }
    }
}

/// Splits the server's bytes into lines without their CRLF; a line longer than 8 KiB is an error.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 8192 { throw SMTPError.malformedReply("a line longer than 8 KiB") }
            return .needMoreData
        }
        // bytes, not characters: in a Swift string "\r\n" is one character, which hasSuffix("\n") misses
        var bytes = buffer.readBytes(length: newline - buffer.readerIndex + 1) ?? []
        while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
        context.fireChannelRead(Self.wrapInboundOut(String(decoding: bytes, as: UTF8.self)))
        return .continue
    }
}
