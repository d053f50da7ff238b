import Crypto
import Foundation
import GuichetDomain
import GuichetStore
import HummingbirdBcrypt

/// API tokens: random, shown once, stored only as their SHA-256.
public enum APIToken {
    /// A new token: "gch_" and 32 random bytes in URL-safe base64.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "gch_" + Data(bytes).base64URLEncoded()
    }

    /// What the database keeps of a token.
    public static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}

/// Session cookies and CSRF tokens: 128 random bits each, the session's stored only as its SHA-256.
public enum SessionToken {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URLEncoded()
    }

    public static func hash(_ token: String) -> Data { APIToken.hash(token) }

    /// Compares two tokens in constant time.
    public static func matches(_ given: String, _ expected: String) -> Bool {
        let (a, b) = (Array(given.utf8), Array(expected.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Passwords, stored as bcrypt hashes (cost 12, salted). bcrypt reads at most 72 bytes of a
/// password: longer ones are refused where passwords are chosen.
public enum PasswordHash {
    public static let cost: UInt8 = 12
    public static let maximumBytes = 72

    public static func make(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// A malformed or locked (`!`) hash never matches.
    public static func verify(_ password: String, against stored: String) -> Bool {
        guard isHash(stored), password.utf8.count <= maximumBytes else { return false }
        return Bcrypt.verify(password, hash: stored)
    }

    /// Whether `stored` is a bcrypt hash (and not a locked account).
    public static func isHash(_ stored: String) -> Bool { stored.hasPrefix("$2") }

    /// The stored value of an account that cannot sign in with a password.
    public static let locked = "!"
}

extension DirectoryRepository {
    /// Issues a named, scoped API token that may expire; returns its record and the token, which is
    /// seen only this once.
    public func issueToken(personID: Int64, label: String, scopes: [TokenScope], expiresAt: Date?) async throws -> (record: TokenRecord, token: String) {
        let token = APIToken.generate()
        let record = try await insertToken(hash: APIToken.hash(token), personID: personID, label: label, scopes: scopes, expiresAt: expiresAt)
        return (record, token)
    }
}

extension Data {
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
