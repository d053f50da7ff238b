import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection of the load generator, one request at a time. A small client
/// of its own: the benchmark needs nothing but POST and GET on loopback, and measures the server,
/// not a client library's pool.
struct HTTPConnection {
    struct Response {
        let status: Int
        var headers = HTTPHeaders()
        let body: ByteBuffer

        /// The first cookie the answer sets, as a `Cookie` header sends it back (`name=value`).
        var setCookie: String? { headers["Set-Cookie"].first?.split(separator: ";").first.map(String.init) }
    }

    struct Closed: Error {}

    let host: String
    let port: Int

    /// Connects, hands a `send` function to `body`, and closes when `body` returns.
    func run<Result>(
        _ body: (_ send: (HTTPMethod, String, [(String, String)], ByteBuffer?) async throws -> Response) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        let authority = "\(host):\(port)"
        return try await channel.executeThenClose { inbound, outbound in
            var responses = inbound.makeAsyncIterator()
            return try await body { method, path, headers, payload in
                var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
                head.headers.add(name: "Host", value: authority)
                for (name, value) in headers { head.headers.add(name: name, value: value) }
                if let payload { head.headers.add(name: "Content-Length", value: "\(payload.readableBytes)") }
                try await outbound.write(.head(head))
                if let payload { try await outbound.write(.body(.byteBuffer(payload))) }
                try await outbound.write(.end(nil))
                var status = 0
                var headers = HTTPHeaders()
                var received = ByteBuffer()
                while let part = try await responses.next() {
                    switch part {
                    case .head(let head):
                        status = Int(head.status.code)
                        headers = head.headers
                    case .body(var chunk): received.writeBuffer(&chunk)
                    case .end: return Response(status: status, headers: headers, body: received)
                    }
                }
                throw Closed()
            }
        }
    }
}
