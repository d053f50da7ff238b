import Foundation
import GuichetDomain
import GuichetStore
import Logging

/// Builds the demo directory inside the seeder's transaction.
struct DemoDirectoryBuilder {
    struct AccountSpec {
        let role: String
        let name: String
        let login: String
        let roles: [Role]
        let organizationCode: String
        let team: String?
    }

    /// The named demo accounts, one per role a newcomer wants to try.
    static let demoAccounts: [AccountSpec] = [
        AccountSpec(role: "requester", name: "Claire Fontaine", login: "demo.requester", roles: [.requester], organizationCode: firstUAI, team: nil),
        AccountSpec(
            role: "local_correspondent", name: "Marc Lemoine", login: "demo.correspondent", roles: [.requester, .correspondent],
            organizationCode: firstUAI, team: nil
        ),
        AccountSpec(role: "agent", name: "Inès Barbier", login: "demo.agent", roles: [.agent], organizationCode: DemoSeeder.providerCode, team: "SD"),
        AccountSpec(role: "team_lead", name: "Hugo Marchand", login: "demo.lead", roles: [.agent, .lead], organizationCode: DemoSeeder.providerCode, team: "SD"),
        AccountSpec(role: "partner_viewer", name: "Agnès Royer", login: "demo.partner", roles: [.partner], organizationCode: "REGION-CVL", team: nil),
        AccountSpec(
            role: "contractor_agent", name: "Karim Benali", login: "demo.contractor", roles: [.contractor, .agent], organizationCode: "RESEAUX-LOIRE",
            team: "PRESTA"
        ),
        AccountSpec(role: "administrator", name: "Sylvie Caron", login: "demo.admin", roles: [.admin], organizationCode: DemoSeeder.providerCode, team: nil),
    ]

    static let firstUAI = DemoData.uai(department: "45", number: 1)

    let directory: DirectoryRepository
    let logger: Logger
    var random = DemoRandom(seed: 2026)
    var usedEmails: Set<String> = []

    init(directory: DirectoryRepository, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    mutating func build() async throws {
        let provider = try await directory.insert(
            OrganizationRecord(kind: .provider, name: "GIP RECIA — Centre de services", code: DemoSeeder.providerCode, city: "Orléans")
        )
        let region = try await directory.insert(OrganizationRecord(kind: .partner, name: "Région Centre-Val de Loire", code: "REGION-CVL", city: "Orléans"))
        _ = try await directory.insert(OrganizationRecord(kind: .partner, name: "Rectorat de l'académie d'Orléans-Tours", code: "RECTORAT-OT", city: "Orléans"))
        for department in DemoData.departments {
            _ = try await directory.insert(
                OrganizationRecord(kind: .partner, name: "Conseil départemental — \(department.name)", code: "CD\(department.code)", parentID: region)
            )
        }
        let contractor = try await directory.insert(
            OrganizationRecord(kind: .contractor, name: "Réseaux de Loire SAS", code: "RESEAUX-LOIRE", city: "Tours")
        )
        let establishments = try await buildEstablishments()
        let teams = try await buildTeams(provider: provider, contractor: contractor)
        try await buildCatalogue(teams: teams)
        try await buildStaff(provider: provider, contractor: contractor, teams: teams)
        try await buildRequesters(establishments: establishments)
        try await buildDemoPeople(teams: teams)
    }

    /// 180 establishments, 30 per département.
    private mutating func buildEstablishments() async throws -> [(id: Int64, code: String)] {
        var result: [(Int64, String)] = []
        let weighted = DemoData.establishmentTypes.flatMap { type in Array(repeating: type, count: type.weight) }
        for department in DemoData.departments {
            for index in 1...30 {
                let type = index == 1 ? DemoData.establishmentTypes[0] : random.pick(weighted)
                let town = department.towns[index % department.towns.count]
                let patron = DemoData.patrons[(index * 7 + Int(department.code)!) % DemoData.patrons.count]
                let code = DemoData.uai(department: department.code, number: index)
                let id = try await directory.insert(
                    OrganizationRecord(
                        kind: .establishment, name: "\(type.prefix) \(patron) — \(town)", code: code, establishmentType: type.type,
                        departmentCode: department.code, city: town
                    )
                )
                result.append((id, code))
            }
        }
        return result
    }

    private func buildTeams(provider: Int64, contractor: Int64) async throws -> [String: Int64] {
        var teams: [String: Int64] = [:]
        teams["SD"] = try await directory.insert(TeamRecord(organizationID: provider, code: "SD", name: "Centre de services", kind: .serviceDesk))
        teams["N2-SYS"] = try await directory.insert(TeamRecord(organizationID: provider, code: "N2-SYS", name: "Niveau 2 — Systèmes", kind: .level2))
        teams["N2-NET"] = try await directory.insert(TeamRecord(organizationID: provider, code: "N2-NET", name: "Niveau 2 — Réseaux", kind: .level2))
        for department in DemoData.departments {
            teams["PROX-\(department.code)"] = try await directory.insert(
                TeamRecord(
                    organizationID: provider, code: "PROX-\(department.code)", name: "Proximité — \(department.name)", kind: .field,
                    departmentCode: department.code
                )
            )
        }
        teams["PRESTA"] = try await directory.insert(
            TeamRecord(organizationID: contractor, code: "PRESTA", name: "Réseaux de Loire — intervention", kind: .contractor)
        )
        return teams
    }

    private func buildCatalogue(teams: [String: Int64]) async throws {
        let services = [
            ServiceRecord(code: "poste-travail", family: "workstation", name: "Poste de travail", subcategory: "Matériel"),
            ServiceRecord(code: "imprimante", family: "printer", name: "Impression et copieurs", subcategory: "Matériel"),
            ServiceRecord(code: "reseau", family: "network", name: "Réseau et Wi-Fi", subcategory: "Infrastructure"),
            ServiceRecord(code: "serveur", family: "server", name: "Serveurs et stockage", subcategory: "Infrastructure"),
            ServiceRecord(code: "messagerie", family: "software", name: "Messagerie et ENT", subcategory: "Applications"),
            ServiceRecord(code: "logiciel", family: "software", name: "Logiciels pédagogiques", subcategory: "Applications"),
            ServiceRecord(code: "compte", family: "account", name: "Comptes et mots de passe", subcategory: "Identité"),
            ServiceRecord(code: "telephonie-mobile", family: "telephony", name: "Téléphonie mobile personnelle", inPerimeter: false),
            ServiceRecord(code: "formation-usage", family: "training", name: "Formation à l'usage des logiciels", inPerimeter: false),
        ]
        for service in services { _ = try await directory.insert(service) }
        // an incident naming failed hardware goes where the hardware is, whatever the service chosen
        for (position, family) in [(1, CIClass.Family.workstation), (2, .printer), (3, .peripheral)] {
            try await directory.insert(
                RoutingRule(position: position, serviceFamily: nil, ticketKind: .incident, ciFamily: family, target: .departmentTeam(.field))
            )
        }
        try await directory.insert(RoutingRule(position: 4, serviceFamily: nil, ticketKind: .incident, ciFamily: .network, target: .team(teams["N2-NET"]!)))
        try await directory.insert(RoutingRule(position: 5, serviceFamily: nil, ticketKind: .incident, ciFamily: .server, target: .team(teams["N2-SYS"]!)))
        try await directory.insert(RoutingRule(position: 10, serviceFamily: "workstation", ticketKind: nil, target: .departmentTeam(.field)))
        try await directory.insert(RoutingRule(position: 20, serviceFamily: "printer", ticketKind: nil, target: .departmentTeam(.field)))
        try await directory.insert(RoutingRule(position: 30, serviceFamily: "network", ticketKind: nil, target: .team(teams["N2-NET"]!)))
        try await directory.insert(RoutingRule(position: 40, serviceFamily: "server", ticketKind: nil, target: .team(teams["N2-SYS"]!)))
    }

    /// ~30 agents: 8 at the service desk, 4 per level-2 team, 2 per field team, 2 at the contractor.
    private mutating func buildStaff(provider: Int64, contractor: Int64, teams: [String: Int64]) async throws {
        var sizes: [(String, Int, Int64)] = [("SD", 6, provider), ("N2-SYS", 4, provider), ("N2-NET", 4, provider)]
        sizes += DemoData.departments.map { ("PROX-\($0.code)", 2, provider) }
        sizes.append(("PRESTA", 1, contractor))
        for (team, size, organization) in sizes {
            for index in 0..<size {
                let person = try await newPerson(organization: organization, domain: organization == provider ? "recia.fr" : "reseaux-loire.fr")
                try await directory.upsertAccount(personID: person, login: "agent.\(person)", passwordHash: PasswordHash.locked, roles: [.agent])
                try await directory.addMember(teamID: teams[team]!, personID: person, lead: index == 0)
            }
        }
    }

    /// ~500 requesters, two to four per establishment.
    private mutating func buildRequesters(establishments: [(id: Int64, code: String)]) async throws {
        for (index, establishment) in establishments.enumerated() {
            for _ in 0..<(index % 2 == 0 ? 3 : 2) + (index % 3 == 0 ? 1 : 0) {
                _ = try await newPerson(organization: establishment.id, domain: "ac-orleans-tours.fr")
            }
        }
    }

    /// The named demo accounts, in their organisations and teams; their credentials are issued by the seeder.
    private func buildDemoPeople(teams: [String: Int64]) async throws {
        for spec in Self.demoAccounts {
            guard let organization = try await directory.organization(idOrCode: spec.organizationCode) else { continue }
            let person = try await directory.insert(
                PersonRecord(organizationID: organization.id, name: spec.name, email: "\(spec.login)@guichet.example")
            )
            try await directory.upsertAccount(personID: person, login: spec.login, passwordHash: PasswordHash.locked, roles: spec.roles)
            if let team = spec.team.flatMap({ teams[$0] }) {
                try await directory.addMember(teamID: team, personID: person, lead: spec.roles.contains(.lead))
            }
        }
    }

    private mutating func newPerson(organization: Int64, domain: String) async throws -> Int64 {
        let name = "\(random.pick(DemoData.firstNames)) \(random.pick(DemoData.lastNames))"
        var email = "\(DemoData.mailbox(name))@\(domain)"
        var suffix = 2
        while usedEmails.contains(email) {
            email = "\(DemoData.mailbox(name))\(suffix)@\(domain)"
            suffix += 1
        }
        usedEmails.insert(email)
        return try await directory.insert(PersonRecord(organizationID: organization, name: name, email: email))
    }
}
