import ArgumentParser
import Foundation
import GuichetDomain
import GuichetServices
import GuichetStore
import Logging

/// `guichet user ...`: operators manage accounts and API tokens. Every change is in the audit log.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage accounts and their API tokens.",
        subcommands: [Add.self, Disable.self, Enable.self, ResetPassword.self, Roles.self, Token.self]
    )

    static func withAccounts<Result: Sendable>(_ common: CommonOptions, _ body: @Sendable (AccountService) async throws -> Result) async throws -> Result {
        let logger = try common.logger(label: "guichet.user")
        let url = try common.database()
        return try await withDatabase(url, logger: logger) { client in
            do {
                return try await body(AccountService(database: Database(client: client, logger: logger), logger: logger))
            } catch let error as ServiceError {
                throw ValidationError(error.operatorDescription)
            }
        }
    }

    /// Reads a password from standard input (one line), so that it never shows in `ps` or a shell history.
    static func passwordFromStandardInput() throws -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("Give the password on standard input, e.g. `read -rs p; echo \"$p\" | guichet user ...`.")
        }
        return line
    }

    static func roles(_ text: String) throws -> [Role] {
        try text.split(separator: ",").map { name in
            guard let role = Role(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("Unknown role '\(name)'; use \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return role
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a person and their account.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The login.") var login: String
        @Option(help: "Full name.") var name: String
        @Option(help: "E-mail address.") var email: String
        @Option(help: "Organisation id or code (an establishment's UAI).") var organization: String
        @Option(help: "Comma-separated roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var roles: String = "requester"
        @Option(help: "fr or en.") var locale: String = "fr"
        @Flag(help: "Read a password from standard input; without it the account signs in only through the schools' SSO.")
        var passwordStdin = false

        func run() async throws {
            let user = AccountService.NewUser(
                login: login, name: name, email: email, organizationCode: organization, roles: try UserCommand.roles(roles), locale: locale
            )
            let password = passwordStdin ? try UserCommand.passwordFromStandardInput() : nil
            let id = try await UserCommand.withAccounts(common) { try await $0.add(user, password: password, by: .commandLine) }
            print("Account \(user.login) created for person \(id).")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account: its tokens and sessions stop working at once.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The login.") var login: String

        func run() async throws { try await UserCommand.setDisabled(true, login: login, common) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account again.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The login.") var login: String

        func run() async throws { try await UserCommand.setDisabled(false, login: login, common) }
    }

    static func setDisabled(_ disabled: Bool, login: String, _ common: CommonOptions) async throws {
        try await withAccounts(common) { try await $0.setDisabled(disabled, login: login, by: .commandLine) }
        print("Account \(login) \(disabled ? "disabled" : "enabled").")
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "Set a new password, read from standard input.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The login.") var login: String

        func run() async throws {
            let (login, password) = (self.login, try UserCommand.passwordFromStandardInput())
            try await UserCommand.withAccounts(common) { try await $0.resetPassword(login: login, to: password, by: .commandLine) }
            print("Password of \(login) changed.")
        }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace the roles of an account.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The login.") var login: String
        @Argument(help: "Comma-separated roles.") var roles: String

        func run() async throws {
            let (login, roles) = (self.login, try UserCommand.roles(self.roles))
            try await UserCommand.withAccounts(common) { try await $0.setRoles(roles, login: login, by: .commandLine) }
            print("Roles of \(login): \(roles.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or revoke API tokens.", subcommands: [Create.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Issue a named, scoped token; it is printed once and never again.")
            @OptionGroup var common: CommonOptions
            @Argument(help: "The login of the token's owner.") var login: String
            @Option(help: "What the token is for.") var name: String
            @Option(help: "Comma-separated scopes: read, write, admin, inventory (an inventory tool: imports only).") var scopes: String = "read,write"
            @Option(name: .customLong("expires-in-days"), help: "Days until it expires (1 to 730); without it, until revoked.") var days: Int?

            func run() async throws {
                let scopes = try self.scopes.split(separator: ",").map { name in
                    guard let scope = TokenScope(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                        throw ValidationError("Unknown scope '\(name)'; use read, write or admin.")
                    }
                    return scope
                }
                let (login, name, days) = (self.login, self.name, self.days)
                let (record, token) = try await UserCommand.withAccounts(common) {
                    try await $0.createToken(login: login, label: name, scopes: scopes, days: days, by: .commandLine)
                }
                print("Token \(record.id) for \(login) (\(scopes.map(\.rawValue).joined(separator: ","))), shown only now:")
                print(token)
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token by its id.")
            @OptionGroup var common: CommonOptions
            @Argument(help: "The token id.") var id: Int64

            func run() async throws {
                let id = self.id
                try await UserCommand.withAccounts(common) { try await $0.revokeToken(id: id, owner: nil, by: .commandLine) }
                print("Token \(id) revoked.")
            }
        }
    }
}

extension ServiceError {
    /// The refusal in words an operator acts on.
    var operatorDescription: String {
        switch self {
        case .notFound(let what): "No \(what)."
        case .validation(let problems): problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .forbidden(let why), .conflict(let why): why
        default: "\(self)"
        }
    }
}
