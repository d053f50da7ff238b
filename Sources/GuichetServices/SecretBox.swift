import Crypto
import Foundation

/// Secrets Guichet must give back later (a webhook's signing secret), kept encrypted with a key
/// from the configuration (`GUICHET_SECRET_KEY`, 32 random bytes in base64), so that a copy of the
/// database alone does not let anyone sign deliveries. AES-GCM: a sealed value that was altered
/// does not open.
public struct SecretBox: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badKey
        case cannotOpen

        public var description: String {
            switch self {
            case .badKey: "GUICHET_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)"
            case .cannotOpen: "a sealed secret does not open with this GUICHET_SECRET_KEY"
            }
        }
    }

    /// What every sealed value starts with; values without it are from before sealing.
    static let prefix = "sealed:v1:"
    let key: SymmetricKey

    public init(base64Key: String) throws(Failure) {
        guard let bytes = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else { throw .badKey }
        key = SymmetricKey(data: bytes)
    }

    public func seal(_ secret: String) -> String {
        // AES-GCM with a fresh random nonce only fails for a wrong key size, which init excludes
        let box = try! AES.GCM.seal(Data(secret.utf8), using: key)
        return Self.prefix + box.combined!.base64EncodedString()
    }

    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    public func open(_ stored: String) throws(Failure) -> String {
        guard Self.isSealed(stored) else { return stored }
        guard let combined = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: combined), let plain = try? AES.GCM.open(box, using: key)
        else { throw .cannotOpen }
        return String(decoding: plain, as: UTF8.self)
    }
}
