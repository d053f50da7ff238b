import Foundation

/// Where webhooks may go. Loopback, link-local, private and other internal addresses are refused
/// unless an administrator allowed them for the subscription: a webhook must not become a way to
/// reach the service centre's internal network (SSRF).
public enum WebhookTarget {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notHTTP
        case noHost
        case internalAddress(String)
        case unresolvable(String)

        public var description: String {
            switch self {
            case .notHTTP: "the URL is not an http:// or https:// URL"
            case .noHost: "the URL has no host"
            case .internalAddress(let address): "\(address) is a loopback, link-local or private address; an administrator may allow it for this subscription"
            case .unresolvable(let host): "\(host) does not resolve"
            }
        }
    }

    /// The host of `url`, checked without resolving names (for a subscription being created).
    public static func check(_ url: String, allowPrivate: Bool) throws(Refusal) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw .notHTTP
        }
        guard let host = components.host, !host.isEmpty else { throw .noHost }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if !allowPrivate && (isInternal(bare) || bare.lowercased() == "localhost" || bare.lowercased().hasSuffix(".localhost")) {
            throw .internalAddress(bare)
        }
        return bare
    }

    /// The host's addresses, all of which must be public unless `allowPrivate` (checked at each send:
    /// a name may point somewhere else since the subscription was made).
    public static func resolveAndCheck(_ host: String, allowPrivate: Bool) throws(Refusal) {
        if allowPrivate { return }
        let addresses = resolve(host)
        guard !addresses.isEmpty else { throw .unresolvable(host) }
        if let inside = addresses.first(where: isInternal) { throw .internalAddress(inside) }
    }

    /// Whether a literal IPv4 or IPv6 address is loopback, link-local, private, shared, multicast
    /// or unspecified. A name (not an address) is not internal by itself.
    public static func isInternal(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let bytes = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return internalIPv4(bytes)
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return internalIPv4(Array(bytes[12..<16])) }
        if bytes.allSatisfy({ $0 == 0 }) { return true }  // ::
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        return bytes[0] == 0xFF  // multicast
    }

    private static func internalIPv4(_ b: [UInt8]) -> Bool {
        b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) || (b[0] == 172 && b[1] & 0xF0 == 16) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 100 && b[1] & 0xC0 == 64) || b[0] >= 224
    }

    private static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
