import Foundation

/// A place in Guichet to come back to after signing in, changing language or the CAS round trip:
/// a path of this site, parsed, or nothing. Prefix checks are not enough: browsers drop tabs and
/// line breaks and read a backslash as a slash, so `/\t/evil.example` would lead away.
enum ReturnPath {
    /// The characters of a URI path and query (RFC 3986), nothing a browser would drop or reinterpret.
    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?%")

    static func parse(_ candidate: String?) -> String? {
        guard let candidate, candidate.utf8.count <= 500, candidate.allSatisfy(allowed.contains),
            let components = URLComponents(string: candidate),
            components.scheme == nil, components.host == nil, components.user == nil, components.port == nil
        else { return nil }
        let path = components.percentEncodedPath
        guard path.hasPrefix("/"), !path.hasPrefix("//"), let decoded = path.removingPercentEncoding,
            !decoded.hasPrefix("//"), !decoded.contains("\\"), decoded.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else { return nil }
        return candidate
    }
}
