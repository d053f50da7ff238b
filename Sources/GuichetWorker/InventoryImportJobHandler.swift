import GuichetQueue
import GuichetServices
import Logging

/// `cmdb.import`: applies an inventory handed over by the API.
public struct InventoryImportJobHandler: JobHandler {
    let imports: CIImportService

    public init(imports: CIImportService) {
        self.imports = imports
    }

    public func handle(_ job: ClaimedJob, logger: Logger) async throws {
        let payload = try job.parameters(ImportInventory.self)
        try await imports.run(payload.importId)
    }
}
