import Foundation

/// Where and how outgoing mail is handed over: `smtp://user:password@host:port` (port 25 by default).
public struct SMTPConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    /// The name this client gives in EHLO.
    public var heloName: String
    /// How long one delivery may take, connection included.
    public var timeout: Duration

    public init(host: String, port: Int = 25, username: String? = nil, password: String? = nil, heloName: String = "guichet", timeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.heloName = heloName
        self.timeout = timeout
    }

    /// Parses `GUICHET_SMTP_URL`. `smtps://` is refused with a reason: this build speaks plain SMTP only.
    public init(url text: String) throws(SMTPConfigurationError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme, let host = url.host, !host.isEmpty else {
            throw .invalid("'\(text)' is not an SMTP URL such as smtp://user:password@host:25")
        }
        guard scheme == "smtp" else {
            throw .invalid("the scheme '\(scheme)' is not supported: use smtp:// (a local relay such as Postfix adds TLS towards the outside)")
        }
        self.init(host: host, port: url.port ?? 25, username: url.user?.removingPercentEncoding, password: url.password?.removingPercentEncoding)
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
