import NIOCore
import NIOHTTP1

/// Sits right after NIO's HTTP/1 decoder, where requests still carry their version, and keeps a
/// connection honest: a request whose framing cannot be trusted is answered 400 and the
/// connection closed (nothing more read from it reaches the application, so no request can be
/// smuggled behind it), and a client that takes longer than `headTimeout` from connecting to send
/// its first request's head is answered 408 and dropped. (A kept-alive connection that goes quiet
/// is closed, silently, by the idle timeout of the connection's state handler: a 408 written there
/// could cross a request the load balancer sends on it at that instant.)
///
/// Refused framing: whatever the parser cannot read (a chunk size that overflows, a chunk
/// extension ended by a bare LF, ...) and `Transfer-Encoding` on an HTTP/1.0 request, which
/// HTTP/1.0 does not know and a proxy in front may read differently.
final class HTTP1FramingGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let headTimeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// Requests whose answer has not ended yet.
    private var awaiting = 0
    private var requestOpen = false
    private var responseOpen = false
    private var refused = false

    init(headTimeout: TimeAmount) {
        self.headTimeout = headTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            disarm()
            if head.version.major == 1 && head.version.minor == 0 && head.headers.contains(name: "transfer-encoding") {
                return refuse(context, .badRequest)
            }
            awaiting += 1
            requestOpen = true
        case .end:
            requestOpen = false
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !refused else { return }
        guard error is HTTPParserError else { return context.fireErrorCaught(error) }
        // first, so that a body being read ends with an error rather than looking complete
        context.fireErrorCaught(error)
        refuse(context, .badRequest)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // once refused, the connection only closes: what the application answers meanwhile is dropped
        guard !refused else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200:
            responseOpen = true
        case .end:
            responseOpen = false
            awaiting -= 1
        default:
            break
        }
        context.write(data, promise: promise)
    }

    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus) {
        refused = true
        disarm()
        // an answer already under way, or one owed to an earlier request: closing is all that is left
        guard !responseOpen, awaiting - (requestOpen ? 1 : 0) == 0 else { return context.close(promise: nil) }
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: ["connection": "close", "content-length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolatedUnsafeUnchecked().whenComplete { _ in context.close(promise: nil) }
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil, !refused else { return }
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: headTimeout) {
            self.timer = nil
            self.refuse(context, .requestTimeout)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
