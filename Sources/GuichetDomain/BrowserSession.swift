import Foundation

/// A signed-in browser's session, as the node that serves a request finds it.
public struct BrowserSession: Sendable, Equatable {
    public let id: Int64
    public let principal: Principal
    /// The token every state-changing request of this session must send back in `X-CSRF-Token`.
    public let csrfToken: String
    public let expiresAt: Date
    /// Who signed in, as the pages greet them, and the language they chose.
    public var personName: String
    public var locale: String

    public init(id: Int64, principal: Principal, csrfToken: String, expiresAt: Date, personName: String = "", locale: String = "fr") {
        self.id = id
        self.principal = principal
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
        self.personName = personName
        self.locale = locale
    }
}
