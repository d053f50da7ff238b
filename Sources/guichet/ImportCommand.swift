import ArgumentParser
import Foundation
import GuichetDomain
import GuichetQueue
import GuichetServices
import GuichetStore
import Logging

/// `guichet import cis FILE --source NAME [--full]`: an inventory applied from the command line,
/// as the API's imports are, with a progress bar.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import data from files.", subcommands: [CIs.self]
    )

    struct CIs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cis",
            abstract: "Apply an inventory of configuration items (CSV with a header row, or JSON lines).",
            discussion: """
                Columns: external_id, class, name, status, establishment (UAI), room, owner, serial, asset_tag, brand, model, os, ip,
                mac, supplier, warranty_end, minimum_up, av_protected, av_signatures_at, av_contact_at, connected_to, hosted_on,
                runs_on, powered_by (other CIs by external id or name, separated by ';'); other columns are free attributes.
                """
        )

        @OptionGroup var common: CommonOptions
        @Argument(help: "The inventory file.") var file: String
        @Option(help: "The inventory tool it comes from (ocs, glpi, ...): rows are reconciled by its external ids.") var source: String
        @Flag(help: "A full inventory: the CIs of this source that the file no longer lists are retired.") var full = false
        @Option(help: "csv or jsonl (default: from the file's extension, csv otherwise).") var format: String?

        func run() async throws {
            let logger = try common.logger(label: "guichet.import")
            let url = try common.database()
            let format = try chosenFormat()
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("Cannot read \(file).") }
            guard data.count <= CIImportService.maxBytes else {
                throw ValidationError("\(file) is larger than \(CIImportService.maxBytes / 1_048_576) MiB; split it and import the parts without --full.")
            }
            guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(file) is not UTF-8 text.") }
            let outcome = try await withDatabase(url, logger: logger) { client in
                let database = Database(client: client, logger: logger)
                let imports = CIImportService(database: database, notifier: JobNotifier(client: client, logger: logger), logger: logger)
                do {
                    let id = try await imports.record(text, format: format, source: source, full: full)
                    let bar = ProgressBar()
                    let result = try await imports.run(id) { done, total in bar.show(done, of: total) }
                    bar.end()
                    return result
                } catch let error as ServiceError {
                    throw ValidationError(error.operatorDescription)
                }
            }
            guard let outcome else { throw ValidationError("The import was not recorded.") }
            if let error = outcome.error { throw ValidationError("Nothing was imported: \(error)") }
            print(
                "import \(outcome.id) of \(outcome.source): \(outcome.created) created, \(outcome.updated) updated, \(outcome.unchanged) unchanged, "
                    + "\(outcome.retired) retired, \(outcome.rejected.count) rejected"
            )
            for line in outcome.rejected.prefix(50) { print("  line \(line.line): \(line.reason)") }
            if outcome.rejected.count > 50 { print("  ... and \(outcome.rejected.count - 50) more (GET \(outcome.url))") }
        }

        func chosenFormat() throws -> InventoryFile.Format {
            if let format {
                guard let value = InventoryFile.Format(rawValue: format) else { throw ValidationError("The format is csv or jsonl.") }
                return value
            }
            return file.hasSuffix(".jsonl") || file.hasSuffix(".ndjson") ? .jsonl : .csv
        }
    }
}

/// A progress line on standard error, redrawn in place when it is a terminal.
final class ProgressBar: Sendable {
    let terminal = isatty(STDERR_FILENO) != 0

    func show(_ done: Int, of total: Int) {
        guard total > 0 else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let line = "[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total) rows"
        FileHandle.standardError.write(Data(((terminal ? "\r" : "") + line + (terminal ? "" : "\n")).utf8))
    }

    func end() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
