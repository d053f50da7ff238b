import GuichetDomain

/// A field of a request and what is wrong with it.
public struct FieldProblem: Sendable, Equatable, Codable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Why a use case refused: each case says what the caller can do about it.
public enum ServiceError: Error, Equatable {
    /// The thing does not exist, or the caller may not know that it does.
    case notFound(String)
    case validation([FieldProblem])
    case forbidden(String)
    case rule(TicketRuleError)
    /// The ticket changed since the caller read it.
    case versionMismatch(current: Int)
    /// An idempotency key was used before with another request.
    case idempotencyKeyReused
    /// The state of the thing forbids the change (other than a lifecycle rule).
    case conflict(String)
    /// The login or the password is wrong (which one is not said), or the account is disabled.
    case signInFailed
    /// Too many sign-in attempts for this account or from this address; try again later.
    case tooManyAttempts(retryAfter: Duration)

    static func invalid(_ field: String, _ message: String) -> ServiceError {
        .validation([FieldProblem(field: field, message: message)])
    }
}
