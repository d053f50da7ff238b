import Foundation

/// A kind of job: its queue, its name and its payload, in one type that the code enqueueing it and
/// the handler running it share, so that neither writes or reads the payload by hand.
public protocol JobParameters: Codable, Sendable {
    static var queue: String { get }
    static var kind: String { get }
}

/// A failure no retry can mend: the job is discarded at once, with the error kept on it.
public protocol PermanentJobFailure: Error {}

/// A job whose payload is not what its kind says: it fails for good with what was wrong.
public struct UndecodablePayload: PermanentJobFailure, CustomStringConvertible {
    public let kind: String
    public let payload: String
    public let reason: String

    public var description: String { "the payload of a \(kind) job cannot be read (\(reason)): \(payload.prefix(200))" }
}

/// Payloads are JSON objects with snake_case keys and ISO 8601 dates, as the API writes JSON, and
/// as SQL can write them too (webhook deliveries).
enum JobPayloadCoding {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension NewJob {
    /// A job of `parameters`' kind, on its queue (or `queue`, for kinds an operator may put on any),
    /// with them as payload.
    public init<Parameters: JobParameters>(
        _ parameters: Parameters, queue: String? = nil, runAt: Date? = nil, priority: Int16 = 0, maxAttempts: Int = 10, uniqueKey: String? = nil
    ) {
        // encoding a Codable value of plain fields into JSON does not fail
        let payload = String(decoding: try! JobPayloadCoding.encoder().encode(parameters), as: UTF8.self)
        self.init(
            queue: queue ?? Parameters.queue, kind: Parameters.kind, payload: payload, runAt: runAt, priority: priority, maxAttempts: maxAttempts,
            uniqueKey: uniqueKey
        )
    }
}

extension ClaimedJob {
    /// The payload as the parameters of its kind; `UndecodablePayload` when it is not.
    public func parameters<Parameters: JobParameters>(_ type: Parameters.Type = Parameters.self) throws(UndecodablePayload) -> Parameters {
        do {
            return try JobPayloadCoding.decoder().decode(Parameters.self, from: Data(payload.utf8))
        } catch {
            throw UndecodablePayload(kind: kind, payload: payload, reason: "\(error)")
        }
    }
}
