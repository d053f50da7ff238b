import ArgumentParser
import Foundation
import GuichetQueue
import GuichetServices
import GuichetStore
import Logging

/// `guichet demo`: seeds the demo directory and issues fresh demo credentials.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seed demo data and write the demo accounts to a JSON file.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Where to write the demo accounts.")
    var output = ".guichet/demo.json"

    @Option(name: .customLong("public-url"), help: "The base URL written in the file (env GUICHET_PUBLIC_URL, default http://127.0.0.1:8080).")
    var publicURL: String?

    @Flag(name: .customLong("no-fleet"), help: "Do not import the demo's fleet (about 65,000 configuration items).")
    var noFleet = false

    @Option(name: .customLong("fleet-csv"), help: "Also write the demo's fleet as an inventory file (CSV) there.")
    var fleetCSV: String?

    /// The source of the demo's fleet, as an inventory tool would name itself.
    static let fleetSource = "demo-inventory"

    struct File: Encodable {
        let baseUrl: String
        let accounts: [DemoAccount]
    }

    func run() async throws {
        let logger = try common.logger(label: "guichet.demo")
        let url = try common.database()
        try await verifySchema(url, logger: logger)
        let accounts: [DemoAccount]
        do {
            accounts = try await withDatabase(url, logger: logger) { client in
                try await DemoSeeder(database: Database(client: client, logger: logger), logger: logger).run()
            }
        } catch {
            logger.error("seeding the demo failed", metadata: ["error": "\(String(reflecting: error))"])
            throw ExitCode.failure
        }
        try await seedFleet(url, logger: logger)
        let base = publicURL ?? Environment.value("GUICHET_PUBLIC_URL") ?? "http://127.0.0.1:8080"
        let file = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONCoding.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        try encoder.encode(File(baseUrl: base, accounts: accounts)).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)

        print("Demo accounts (also in \(output)):")
        for account in accounts {
            let role = account.role.padding(toLength: 20, withPad: " ", startingAt: 0)
            let login = account.login.padding(toLength: 20, withPad: " ", startingAt: 0)
            print("  \(role) \(login) password \(account.password)  token \(account.apiToken)")
        }
        if let requester = accounts.first(where: { $0.role == "requester" }) {
            print(
                """

                Try it:
                  curl -s -X POST \(base)/api/v1/tickets -H 'Authorization: Bearer \(requester.apiToken)' \\
                       -H 'Content-Type: application/json' \\
                       -d '{"kind":"incident","title":"Le vidéoprojecteur de la salle B12 ne s'"'"'allume plus","service":"poste-travail","impact":2,"urgency":2}'
                """
            )
        }
    }

    /// Imports the demo's fleet once, through the same import as inventories, and writes its CSV
    /// when asked.
    func seedFleet(_ url: DatabaseURL, logger: Logger) async throws {
        try await withDatabase(url, logger: logger) { client in
            let database = Database(client: client, logger: logger)
            let imports = CIImportService(database: database, notifier: JobNotifier(client: client, logger: logger), logger: logger)
            let fleet = try await imports.demoFleet()
            let csv = fleet.csv()
            if let fleetCSV {
                try Data(csv.utf8).write(to: URL(fileURLWithPath: fleetCSV))
                print("The demo's fleet as an inventory: \(fleetCSV)")
            }
            guard !noFleet, try await imports.count(source: Self.fleetSource) == 0 else { return }
            let started = ContinuousClock.now
            let id = try await imports.record(csv, format: .csv, source: Self.fleetSource, full: true)
            let bar = ProgressBar()
            let outcome = try await imports.run(id) { done, total in bar.show(done, of: total) }
            bar.end()
            print("Demo fleet: \(outcome?.created ?? 0) configuration items imported in \(started.duration(to: .now).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
        }
    }
}
