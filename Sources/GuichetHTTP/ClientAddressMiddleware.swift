import Foundation
import HTTPTypes
import Hummingbird

/// Puts the client's address in the request's log metadata: the peer itself, or, when the peer is a
/// trusted proxy, the last address it appended to `X-Forwarded-For`.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let client = clientAddress(request, peer: context.peerAddress) {
            context.logger[metadataKey: "client"] = .string(client)
            context.clientAddress = client
        }
        return try await next(request, context)
    }

    func clientAddress(_ request: Request, peer: String?) -> String? {
        guard let peer, trustedProxies.contains(peer), let forwarded = request.headers[.forwardedFor] else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return hops.last { !trustedProxies.contains($0) } ?? peer
    }
}

extension HTTPField.Name {
    static let forwardedFor = Self("X-Forwarded-For")!
}
