import GuichetDomain
import Hummingbird

/// The query string of `GET /cis`, checked field by field.
struct CIListQuery {
    var filter = CIFilter()
    var cursor: String?
    var limit = 50

    init(_ parameters: Parameters) throws {
        if let text = parameters.get("q") {
            guard text.count <= 200 else { throw Problem.badRequest("The search is 200 characters at most.", field: "q") }
            filter.text = text
        }
        if let name = parameters.get("class") {
            guard let value = CIClass(rawValue: name) else {
                throw Problem.badRequest("Unknown class '\(name.prefix(40))'; use \(CIClass.allCases.map(\.rawValue).joined(separator: ", ")).", field: "class")
            }
            filter.ciClass = value
        }
        if let name = parameters.get("status") {
            guard let value = CIStatus(rawValue: name) else {
                throw Problem.badRequest("The status is \(CIStatus.allCases.map(\.rawValue).joined(separator: ", ")).", field: "status")
            }
            filter.status = value
        }
        filter.establishment = parameters.get("establishment").flatMap { $0.isEmpty ? nil : $0 }
        // an empty cursor is none (a form sends the field empty)
        cursor = parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
        if let limit = parameters.get("limit") {
            guard let value = Int(limit), (1...200).contains(value) else {
                throw Problem.badRequest("The limit is a whole number from 1 to 200.", field: "limit")
            }
            self.limit = value
        }
    }
}
