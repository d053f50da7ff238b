import Foundation
import GuichetServices
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem: every error the API returns has this shape, a stable `type`, a human `title`
/// and, for validation, the offending fields. Never SQL, stack traces or another tenant's data.
public struct Problem: Error, HTTPResponseError, Equatable {
    public var type: String
    public var title: String
    public var status: HTTPResponse.Status
    public var detail: String?
    public var errors: [FieldProblem]?
    /// For 412: the version the ticket is at now.
    public var currentVersion: Int?
    /// For 429: when to try again, also sent as `Retry-After`.
    public var retryAfterSeconds: Int?
    /// For 405: the methods the resource answers, sent as `Allow`.
    public var allow: [String]?

    public init(type: String, title: String, status: HTTPResponse.Status, detail: String? = nil, errors: [FieldProblem]? = nil) {
        self.type = "https://guichet.example/problems/\(type)"
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// The problem+json document.
    struct Document: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String?
        let errors: [FieldProblem]?
        let currentVersion: Int?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let document = Document(type: type, title: title, status: status.code, detail: detail, errors: errors, currentVersion: currentVersion)
        let body = (try? JSONCoding.encoder().encode(document)) ?? Data(#"{"title":"error"}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="guichet""# }
        if let retryAfterSeconds { headers[.retryAfter] = "\(retryAfterSeconds)" }
        if let allow { headers[.allow] = allow.joined(separator: ", ") }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static let unauthorized = Problem(
        type: "unauthorized", title: "Authentication required", status: .unauthorized,
        detail: "Send a valid API token as `Authorization: Bearer <token>`."
    )

    static func notFound(_ detail: String) -> Problem {
        Problem(type: "not-found", title: "Not found", status: .notFound, detail: detail)
    }

    static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(
            type: "bad-request", title: "Bad request", status: .badRequest, detail: detail,
            errors: field.map { [FieldProblem(field: $0, message: detail)] }
        )
    }

    static func validation(_ errors: [FieldProblem]) -> Problem {
        Problem(
            type: "validation", title: "The request has invalid fields", status: .unprocessableContent,
            detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: " "), errors: errors
        )
    }
}

extension Problem {
    /// The one place where errors become responses.
    static func from(_ error: any Error) -> Problem? {
        switch error {
        case let problem as Problem:
            return problem
        case let error as ServiceError:
            return from(error)
        case is NIOTooManyBytesError:
            return Problem(
                type: "too-large", title: "Request body too large", status: .contentTooLarge,
                detail: "JSON bodies are limited to 64 KiB."
            )
        case let error as HTTPError where (400..<500).contains(error.status.code):
            return Problem(type: "http-\(error.status.code)", title: error.status.reasonPhrase, status: error.status, detail: error.body)
        default:
            return nil
        }
    }

    static func from(_ error: ServiceError) -> Problem {
        switch error {
        case .notFound(let what):
            return .notFound("No \(what) that you may see exists.")
        case .validation(let problems):
            return .validation(problems)
        case .forbidden(let detail):
            return Problem(type: "forbidden", title: "Forbidden", status: .forbidden, detail: detail)
        case .rule(let rule):
            switch rule {
            case .invalidTransition:
                return Problem(type: "invalid-transition", title: "Action not allowed in this state", status: .conflict, detail: rule.message)
            case .missingField(let field), .fieldTooLong(let field, _):
                return .validation([FieldProblem(field: field, message: rule.message)])
            }
        case .versionMismatch(let current):
            var problem = Problem(
                type: "stale-version", title: "The ticket changed since you read it", status: .preconditionFailed,
                detail: "The ticket is now at version \(current); read it again and retry with If-Match: \"\(current)\"."
            )
            problem.currentVersion = current
            return problem
        case .idempotencyKeyReused:
            return Problem(
                type: "idempotency-key-reused", title: "Idempotency key reused", status: .unprocessableContent,
                detail: "This Idempotency-Key was used with a different request body; use a new key for a new request."
            )
        case .conflict(let detail):
            return Problem(type: "conflict", title: "Conflict", status: .conflict, detail: detail)
        case .signInFailed:
            return Problem(type: "sign-in-failed", title: "Sign-in failed", status: .unauthorized, detail: "The login or the password is wrong.")
        case .tooManyAttempts(let retryAfter):
            var problem = Problem(
                type: "too-many-attempts", title: "Too many sign-in attempts", status: .tooManyRequests,
                detail: "Too many attempts for this account or from this address; try again in \(retryAfter.components.seconds / 60) minutes."
            )
            problem.retryAfterSeconds = Int(retryAfter.components.seconds)
            return problem
        }
    }
}
