import Foundation
import GuichetDomain
import GuichetStore
import Logging
import PostgresNIO

/// One demo account and how to use it; written to `.guichet/demo.json`.
public struct DemoAccount: Sendable, Codable, Equatable {
    public var role: String
    public var name: String
    public var personId: Int64
    public var login: String
    public var password: String
    public var apiToken: String
    public var organizationCode: String
    public var team: String?
}

/// Seeds a realistic directory (180 establishments of Centre-Val de Loire, partners, a contractor,
/// teams, ~30 agents, ~500 requesters, a catalogue and dispatch rules) once, and issues fresh
/// credentials for the demo accounts on every run.
public struct DemoSeeder: Sendable {
    static let providerCode = "GIP-RECIA-SC"
    /// The partners' perimeters, as the service centre's conventions set them: the Région sees the
    /// lycées, EREA and agricultural lycées; each Département its collèges; the Rectorat every
    /// establishment. Set on every seeding, like the rota.
    private func setPerimeters(_ directory: DirectoryRepository) async throws {
        var perimeters: [(code: String, rules: [PerimeterRule])] = [
            ("REGION-CVL", ["lycee", "lycee_professionnel", "lycee_agricole", "erea"].map { PerimeterRule(establishmentType: $0) }),
            ("RECTORAT-OT", [PerimeterRule()]),
        ]
        perimeters += DemoData.departments.map { ("CD\($0.code)", [PerimeterRule(establishmentType: "college", departmentCode: $0.code)]) }
        for (code, rules) in perimeters {
            guard let partner = try await directory.organization(idOrCode: code) else { continue }
            try await directory.setPerimeter(partnerID: partner.id, rules: rules)
        }
    }

    static let tokenLabel = "demo"
    static let lockKey: Int64 = 7_007_001

    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Seeds what is missing and returns the demo accounts with new passwords and tokens.
    public func run() async throws -> [DemoAccount] {
        try await database.transaction { connection in
            let directory = DirectoryRepository(connection: connection, logger: logger)
            // one seeder at a time across the cluster
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            if try await directory.organization(idOrCode: Self.providerCode) == nil {
                var builder = DemoDirectoryBuilder(directory: directory, logger: logger)
                try await builder.build()
                logger.info("demo directory seeded")
            }
            // the rota is set on every run, so that a directory seeded by an earlier version has one
            try await directory.putLeadsOnCall(teamCodes: ["SD", "N2-SYS", "N2-NET"])
            try await setPerimeters(directory)
            var accounts: [DemoAccount] = []
            for spec in DemoDirectoryBuilder.demoAccounts {
                guard let personID = try await directory.personID(login: spec.login) else { continue }
                let password = APIToken.generate().dropFirst(4).prefix(16).description
                try await directory.upsertAccount(personID: personID, login: spec.login, passwordHash: PasswordHash.make(password), roles: spec.roles)
                try await directory.revokeTokens(personID: personID, label: Self.tokenLabel)
                let scopes: [TokenScope] = spec.roles.contains(.admin) ? TokenScope.allCases : [.read, .write]
                let token = try await directory.issueToken(personID: personID, label: Self.tokenLabel, scopes: scopes, expiresAt: nil).token
                accounts.append(
                    DemoAccount(
                        role: spec.role, name: spec.name, personId: personID, login: spec.login, password: password, apiToken: token,
                        organizationCode: spec.organizationCode, team: spec.team
                    )
                )
            }
            if let monitoring = try await monitoringAccount(directory) { accounts.append(monitoring) }
            return accounts
        }
    }

    /// The demo's monitoring source: an account of the service centre (its incidents may concern
    /// any establishment) that cannot sign in and has no mail address (nothing is mailed to it), with
    /// a token that only sends alerts.
    private func monitoringAccount(_ directory: DirectoryRepository) async throws -> DemoAccount? {
        let login = "demo.monitoring"
        let name = "Supervision"
        guard let provider = try await directory.organization(idOrCode: Self.providerCode) else { return nil }
        var personID = try await directory.personID(login: login)
        if personID == nil {
            personID = try await directory.insert(PersonRecord(organizationID: provider.id, name: name, email: ""))
        }
        guard let personID else { return nil }
        try await directory.upsertAccount(personID: personID, login: login, passwordHash: PasswordHash.locked, roles: [.agent])
        try await directory.revokeTokens(personID: personID, label: Self.tokenLabel)
        let token = try await directory.issueToken(personID: personID, label: Self.tokenLabel, scopes: [.alerts], expiresAt: nil).token
        return DemoAccount(
            role: "monitoring", name: name, personId: personID, login: login, password: "", apiToken: token, organizationCode: Self.providerCode,
            team: nil
        )
    }
}
