import Foundation
import NIOPosix

/// Where webhooks may go. Loopback, link-local, private and other internal addresses are refused
/// unless an administrator allowed them for the subscription: a webhook must not become a way to
/// reach the service centre's internal network (SSRF).
public enum WebhookTarget {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notHTTP
        case noHost
        case malformed(String)
        case internalAddress(String)
        case unresolvable(String)

        public var description: String {
            switch self {
            case .notHTTP: "the URL is not an http:// or https:// URL"
            case .noHost: "the URL has no host"
            case .malformed(let why): why
            case .internalAddress(let address): "\(address) is a loopback, link-local or private address; an administrator may allow it for this subscription"
            case .unresolvable(let host): "\(host) does not resolve"
            }
        }
    }

    /// A target's host as checked: the name to send in `Host` and the address to connect to.
    public struct Checked: Sendable, Equatable {
        public var host: String
        public var address: String
    }

    /// Checks `url` and resolves its host, as at subscription and again at each send (a name may
    /// point elsewhere since): every address must be public unless `allowPrivate`. The delivery
    /// then connects to the very address checked, so that no second lookup can lead elsewhere.
    public static func check(_ url: String, allowPrivate: Bool) async throws(Refusal) -> Checked {
        let host = try host(of: url)
        if !allowPrivate && (host == "localhost" || host.hasSuffix(".localhost")) { throw .internalAddress(host) }
        if isIPLiteral(host) {
            if !allowPrivate && isInternal(host) { throw .internalAddress(host) }
            return Checked(host: host, address: host)
        }
        // the lookup blocks its thread: on NIO's pool, never on the tasks' own threads
        let addresses = (try? await NIOThreadPool.singleton.runIfActive { resolve(host) }) ?? []
        guard let first = addresses.first else { throw .unresolvable(host) }
        if !allowPrivate, let inside = addresses.first(where: isInternal) { throw .internalAddress(inside) }
        return Checked(host: host, address: first)
    }

    /// The host of `url`, read strictly: only the forms every HTTP client reads the same way, so
    /// that the host checked is the host reached. Refused: a user name or password (which some
    /// parsers read as the host), backslashes, percent-encoded or non-ASCII hosts, and IPv4
    /// addresses in any form but four decimal numbers (`2130706433`, `0x7f000001`, `0177.0.0.1`,
    /// `127.1` all mean 127.0.0.1 to a resolver).
    static func host(of url: String) throws(Refusal) -> String {
        guard url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }), !url.contains("\\") else {
            throw .malformed("the URL holds spaces, backslashes or characters outside ASCII")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw .notHTTP
        }
        guard components.percentEncodedUser == nil, components.percentEncodedPassword == nil else {
            throw .malformed("the URL holds a user name or password; put credentials in the receiver's check of the signature instead")
        }
        guard let written = components.percentEncodedHost, !written.isEmpty else { throw .noHost }
        if written.hasPrefix("[") {
            let inner = String(written.dropFirst().dropLast())
            guard written.hasSuffix("]"), isIPLiteral(inner), !inner.contains("%") else { throw .malformed("the IPv6 address is not valid") }
            return inner.lowercased()
        }
        var host = written.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let ldh = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard !host.isEmpty, host.count <= 253, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy(ldh.contains) && !$0.hasPrefix("-") })
        else { throw .malformed("the host is not a valid name") }
        // a last label that is a number makes the whole host an IPv4 address to resolvers and browsers
        if let last = labels.last, last.allSatisfy(\.isNumber) || last.hasPrefix("0x") {
            guard labels.count == 4, labels.allSatisfy({ $0.allSatisfy(\.isNumber) && ($0 == "0" || !$0.hasPrefix("0")) && Int($0).map { $0 <= 255 } == true })
            else { throw .malformed("write an IPv4 address as four decimal numbers (such as 192.0.2.10)") }
        }
        return host
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
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
