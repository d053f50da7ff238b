import Foundation
import GuichetDomain
import GuichetServices
import HTTPTypes
import Hummingbird

/// `/api/v1/cis/imports`: inventory tools hand over their inventories; an import answers 202 at
/// once and runs on a worker, its progress read at its URL.
struct CIImportsController {
    let imports: CIImportService

    func register(in table: RouteTable, group: RouterGroup<GuichetRequestContext>, prefix: String) {
        table.add(.post, "/cis/imports", in: group, prefix: prefix, handler: submit)
        table.add(.get, "/cis/imports/{id}", in: group, prefix: prefix, handler: show)
    }

    @Sendable func submit(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard AccessPolicy.mayImportInventory(principal) else {
            throw Problem(
                type: "forbidden", title: "Forbidden", status: .forbidden,
                detail: "Inventories are handed over with an inventory token or by an administrator."
            )
        }
        let parameters = request.uri.queryParameters
        let format = try Self.format(of: request)
        guard let source = parameters.get("source") else { throw Problem.badRequest("Name the inventory tool: ?source=ocs.", field: "source") }
        var full = false
        if let mode = parameters.get("mode") {
            guard ["full", "delta"].contains(mode) else {
                throw Problem.badRequest("The mode is full (retire what the file no longer lists) or delta.", field: "mode")
            }
            full = mode == "full"
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: CIImportService.maxBytes)
        } catch {
            throw Problem(
                type: "too-large", title: "Inventory too large", status: .contentTooLarge,
                detail: "An inventory is at most \(CIImportService.maxBytes / 1_048_576) MiB; split it and send the parts as delta imports."
            )
        }
        guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
            throw Problem.badRequest("The inventory is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in a spreadsheet).")
        }
        let submitted = try await imports.submit(text, format: format, source: source, full: full, by: principal)
        var response = try TicketsController.json(submitted, status: .accepted)
        response.headers[.location] = submitted.url
        return response
    }

    @Sendable func show(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.rowID("id", naming: "import")
        return try TicketsController.json(try await imports.status(id, for: principal))
    }

    /// The file's format: `?format=`, else the content type (text/csv, application/x-ndjson).
    static func format(of request: Request) throws -> InventoryFile.Format {
        if let name = request.uri.queryParameters.get("format") {
            guard let format = InventoryFile.Format(rawValue: name) else { throw Problem.badRequest("The format is csv or jsonl.", field: "format") }
            return format
        }
        let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "text/csv": return .csv
        case "application/x-ndjson", "application/jsonl", "application/jsonlines": return .jsonl
        default:
            throw Problem(
                type: "unsupported-media-type", title: "Unsupported media type", status: .unsupportedMediaType,
                detail: "Send the inventory as text/csv or application/x-ndjson (JSON lines), or name it with ?format=csv|jsonl."
            )
        }
    }
}
