import NIOCore
import NIOPosix

/// The LMTP listener: the local MTA (Postfix, Exim) hands every message for Guichet's addresses to
/// it, and `handler` decides what becomes of each. Connections are served concurrently; a silent
/// client is dropped after `idleTimeout`.
public struct LMTPServer: Sendable {
    let host: String
    let port: Int
    let maxBytes: Int
    let idleTimeout: TimeAmount
    let handler: @Sendable (LMTPMessage) async -> LMTPVerdict

    public init(
        host: String, port: Int, maxBytes: Int, idleTimeout: TimeAmount = .minutes(5), handler: @escaping @Sendable (LMTPMessage) async -> LMTPVerdict
    ) {
        self.host = host
        self.port = port
        self.maxBytes = maxBytes
        self.idleTimeout = idleTimeout
        self.handler = handler
    }

    /// Listens until cancelled.
    public func run(onListening: @Sendable (Int) -> Void = { _ in }) async throws {
        let idleTimeout = self.idleTimeout
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LMTPLineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(CloseOnIdle())
                    return try NIOAsyncChannel<LMTPLine, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        onListening(server.channel.localAddress?.port ?? port)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { try? await serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<LMTPLine, ByteBuffer>) async throws {
        try await connection.executeThenClose { lines, outbound in
            var session = LMTPSession(hostname: "guichet", maxBytes: maxBytes)
            try await outbound.write(ByteBuffer(string: session.greeting + "\r\n"))
            for try await line in lines {
                var pending: [LMTPSession.Action]
                switch line {
                case .line(let bytes): pending = session.receive(line: Array(buffer: bytes))
                case .tooLong: pending = session.receiveTooLongLine()
                }
                while !pending.isEmpty {
                    let action = pending.removeFirst()
                    switch action {
                    case .reply(let text): try await outbound.write(ByteBuffer(string: text + "\r\n"))
                    case .deliver(let message): pending += session.delivered(await handler(message))
                    case .close: return
                    }
                }
            }
        }
    }
}

/// A line of the conversation, or the news that one was too long to keep.
enum LMTPLine: Sendable {
    case line(ByteBuffer)
    case tooLong
}

/// Lines without their CRLF, binary-safe. A line longer than `maxLine` is not kept: its bytes are
/// dropped as they come until its end, which is then reported as `.tooLong`, so that the session
/// answers it and the connection stays in step with the client.
struct LMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = LMTPLine
    static let maxLine = 65_536
    var discarding = false

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: 10) else {
            if buffer.readableBytes > Self.maxLine {
                discarding = true
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            }
            return .needMoreData
        }
        var line = buffer.readSlice(length: newline - buffer.readerIndex + 1)!
        if discarding || line.readableBytes > Self.maxLine + 2 {
            discarding = false
            context.fireChannelRead(Self.wrapInboundOut(.tooLong))
            return .continue
        }
        line.moveWriterIndex(to: line.writerIndex - 1)
        if line.readableBytesView.last == 13 { line.moveWriterIndex(to: line.writerIndex - 1) }
        context.fireChannelRead(Self.wrapInboundOut(.line(line)))
        return .continue
    }
}

/// Closes a connection whose client said nothing for the idle time.
final class CloseOnIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
