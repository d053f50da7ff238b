import Foundation

/// Where and how outgoing mail is handed over: `smtp://user:password@host:port` (port 25 by
/// default; STARTTLS when the server offers it, `?starttls=required` to insist, `?starttls=never`
/// to skip) or `smtps://host` (TLS from the first byte, port 465). `?ca=/path/ca.pem` adds a
/// certificate authority to the system's.
public struct SMTPConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// STARTTLS when offered, plain otherwise (credentials then only to a relay on this machine).
        case opportunistic
        /// STARTTLS or nothing.
        case required
        /// Plain SMTP.
        case never
        /// TLS from the first byte (smtps).
        case implicit
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var security: Security
    /// A PEM file of extra certificate authorities (a private relay's), besides the system's.
    public var caFile: String?
    /// The name this client gives in EHLO.
    public var heloName: String
    /// How long one delivery may take, connection included.
    public var timeout: Duration

    public init(
        host: String, port: Int = 25, username: String? = nil, password: String? = nil, security: Security = .opportunistic, caFile: String? = nil,
        heloName: String = "guichet", timeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.caFile = caFile
        self.heloName = heloName
        self.timeout = timeout
    }

    /// Parses `GUICHET_SMTP_URL`.
    public init(url text: String) throws(SMTPConfigurationError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme, let host = url.host, !host.isEmpty else {
            throw .invalid("'\(text)' is not an SMTP URL such as smtp://user:password@host:25")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let security: Security
        switch (scheme, query["starttls"]) {
        case ("smtps", nil): security = .implicit
        case ("smtp", nil), ("smtp", "opportunistic"): security = .opportunistic
        case ("smtp", "required"): security = .required
        case ("smtp", "never"): security = .never
        case ("smtp", let other?): throw .invalid("starttls=\(other) is not one of opportunistic, required, never")
        default: throw .invalid("the scheme '\(scheme)' is not smtp:// nor smtps://")
        }
        self.init(
            host: host, port: url.port ?? (security == .implicit ? 465 : 25), username: url.user?.removingPercentEncoding,
            password: url.password?.removingPercentEncoding, security: security, caFile: query["ca"]
        )
    }

    /// The name the certificate must carry (none for an address, which TLS checks differently).
    var tlsHostname: String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    /// Credentials go in clear over plain SMTP: only to a relay on this machine.
    var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) }
}

public enum SMTPConfigurationError: Error, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "GUICHET_SMTP_URL: \(reason)."
        }
    }
}
