import AsyncHTTPClient
import Foundation
import GuichetDomain
import GuichetStore
import Logging
import NIOCore

/// Sign-in through the schools' digital workspace (ENT), as a CAS client (protocol 2 and 3): the
/// browser is sent to the CAS server's login, comes back with a service ticket, which Guichet
/// validates server to server (`p3/serviceValidate`) before opening a session for the person the
/// CAS user maps to. An unknown user is refused, and told why.
public struct CASService: Sendable {
    public struct Settings: Sendable {
        /// The CAS server's base address, e.g. `https://ent.example.fr/cas`.
        public var serverURL: String
        /// How a CAS user is found in the directory: by login (the CAS user) or by e-mail address
        /// (an attribute of the answer).
        public var match: Match
        /// The attribute that carries the e-mail address.
        public var emailAttribute: String

        public enum Match: String, Sendable {
            case login
            case email
        }

        public init(serverURL: String, match: Match = .login, emailAttribute: String = "mail") {
            self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
            self.match = match
            self.emailAttribute = emailAttribute
        }
    }

    let settings: Settings
    let sessions: SessionService
    let http: HTTPClient
    let logger: Logger

    public init(settings: Settings, sessions: SessionService, http: HTTPClient = .shared, logger: Logger) {
        self.settings = settings
        self.sessions = sessions
        self.http = http
        self.logger = logger
    }

    /// Where to send the browser to sign in; `service` is Guichet's callback address.
    public func loginURL(service: String) -> String {
        "\(settings.serverURL)/login?service=\(Self.encoded(service))"
    }

    /// Validates `ticket` for `service` with the CAS server and opens a session for its user.
    public func signIn(ticket: String, service: String, client: String?, requestID: String?) async throws -> SessionService.SignedIn {
        guard ticket.hasPrefix("ST-") || ticket.hasPrefix("PT-"), ticket.count <= 256 else {
            throw ServiceError.invalid("ticket", "This is not a CAS service ticket.")
        }
        let answer = try await validate(ticket: ticket, service: service)
        switch answer {
        case .failure(let code, let message):
            await sessions.audit.record(AuditEntry(actorID: nil, kind: "signin.failure", detail: "CAS \(code): \(message)", requestID: requestID, client: client))
            throw ServiceError.forbidden("The school workspace did not confirm this sign-in (\(code)); sign in again from the start.")
        case .success(let user, let attributes):
            let key: SessionRepository.AccountKey? =
                switch settings.match {
                case .login: .login(user)
                case .email: attributes[settings.emailAttribute].flatMap { $0.isEmpty ? nil : .email($0) }
                }
            var person: (personID: Int64, email: String, name: String, locale: String)?
            if let key {
                person = try await sessions.database.client.withConnection { connection in
                    try await SessionRepository(connection: connection, logger: logger).account(key)
                }
            }
            guard let person else {
                await sessions.audit.record(
                    AuditEntry(actorID: nil, kind: "signin.failure", detail: "CAS user \(user) is not known", requestID: requestID, client: client)
                )
                throw ServiceError.forbidden(
                    "Your school workspace account (\(user)) is not known to Guichet; ask your establishment's IT correspondent to have it added."
                )
            }
            return try await sessions.openSession(personID: person.personID, client: client, requestID: requestID, afterPasswordOf: nil, detail: "CAS user \(user)")
        }
    }

    func validate(ticket: String, service: String) async throws -> CASResponse {
        let url = "\(settings.serverURL)/p3/serviceValidate?service=\(Self.encoded(service))&ticket=\(Self.encoded(ticket))"
        let response: HTTPClientResponse
        do {
            response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        } catch {
            logger.error("the CAS server did not answer", metadata: ["error": "\(String(reflecting: error))"])
            throw ServiceError.conflict("The school workspace did not answer; try again in a moment.")
        }
        let body = try await response.body.collect(upTo: 256 * 1024)
        guard response.status == .ok, let parsed = CASResponse.parse(Data(body.readableBytesView)) else {
            logger.error("the CAS server's answer was not understood", metadata: ["status": "\(response.status.code)"])
            throw ServiceError.conflict("The school workspace gave an answer Guichet does not understand; try again later.")
        }
        return parsed
    }

    /// Percent-encodes a query value (everything but unreserved characters).
    public static func encoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
