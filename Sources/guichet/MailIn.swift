import ArgumentParser
import Foundation
import GuichetMail
import GuichetQueue
import GuichetServices
import GuichetStore
import Logging
import PostgresNIO
import ServiceLifecycle

/// `guichet mail-in`: the LMTP listener the local MTA hands Guichet's mail to. Stateless: run one
/// beside each MTA.
struct MailIn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mail-in", abstract: "Receive mail over LMTP from the local MTA.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (env GUICHET_LMTP_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env GUICHET_LMTP_PORT, default 2424).")
    var port: Int?

    @Option(name: .customLong("public-url"), help: "The address users reach through the load balancer, for links in mails (env GUICHET_PUBLIC_URL).")
    var publicURL: String?

    func run() async throws {
        let logger = try common.logger(label: "guichet.mail-in")
        let url = try common.database()
        let portText = port.map(String.init) ?? Environment.value("GUICHET_LMTP_PORT") ?? "2424"
        guard let port = Int(portText), (1...65535).contains(port) else { throw ValidationError("The LMTP port '\(portText)' is not a port number.") }
        let host = host ?? Environment.value("GUICHET_LMTP_HOST") ?? "127.0.0.1"
        try await verifySchema(url, logger: logger)

        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let notifier = JobNotifier(client: client, logger: logger)
        let inbound = InboundMailService(
            tickets: TicketService(
                database: Database(client: client, logger: logger), notifier: notifier, logger: logger,
                publicURL: publicURL ?? Environment.value("GUICHET_PUBLIC_URL")
            )
        )
        let server = LMTPServer(host: host, port: port, maxBytes: MIMEParser.Limits().maxBytes) { message in
            await inbound.verdict(for: message)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: client), .init(service: notifier), .init(service: LMTPListener(server: server, logger: logger, address: "\(host):\(port)"))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// The LMTP server as a service: it stops listening on graceful shutdown.
struct LMTPListener: Service {
    let server: LMTPServer
    let logger: Logger
    let address: String

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await server.run { _ in logger.info("LMTP listener ready", metadata: ["address": "\(address)"]) }
        }
    }
}
