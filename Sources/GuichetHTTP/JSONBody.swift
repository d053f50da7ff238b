import Foundation
import GuichetDomain
import GuichetServices
import Hummingbird

/// Reads a JSON request body, turning every way it can be wrong into a clear 4xx problem.
enum JSONBody {
    /// `optional`: an empty body decodes as `{}`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: GuichetRequestContext, optional: Bool = false) async throws -> T {
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw Problem(
                type: "unsupported-media-type", title: "Unsupported media type", status: .unsupportedMediaType,
                detail: "Send JSON with Content-Type: application/json."
            )
        }
        var buffer = try await request.body.collect(upTo: context.maxUploadSize)
        var data = buffer.readData(length: buffer.readableBytes) ?? Data()
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard optional else { throw Problem.badRequest("A JSON object is required as the request body.") }
            data = Data("{}".utf8)
        }
        let value: T
        do {
            value = try JSONCoding.decoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw problem(for: error)
        }
        // a control character can only reach a string through an escape: no backslash, no search
        if data.contains(0x5C), let field = fieldWithControlCharacter(in: data) {
            throw Problem.validation([FieldProblem(field: field, message: TextInput.refusal)])
        }
        return value
    }

    /// The path of the first string (or key) of the document that holds a forbidden character.
    static func fieldWithControlCharacter(in data: Data) -> String? {
        guard let document = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        func search(_ value: Any, path: String) -> String? {
            switch value {
            case let text as String:
                return TextInput.isClean(text) ? nil : path
            case let object as [String: Any]:
                for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                    let memberPath = path.isEmpty ? key : "\(path).\(key)"
                    if !TextInput.isClean(key) { return path.isEmpty ? "(a field name)" : path }
                    if let found = search(member, path: memberPath) { return found }
                }
                return nil
            case let array as [Any]:
                for (index, element) in array.enumerated() {
                    if let found = search(element, path: "\(path)[\(index)]") { return found }
                }
                return nil
            default:
                return nil
            }
        }
        return search(document, path: "")
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .badRequest("The body is not valid JSON (or not a JSON object).")
        case .dataCorrupted(let context):
            return .validation([FieldProblem(field: path(context.codingPath), message: "This value is not one of the accepted values.")])
        case .typeMismatch(let type, let context) where context.codingPath.isEmpty:
            return .badRequest("The body must be a JSON object, not \(describe(type)).")
        case .typeMismatch(let type, let context):
            return .validation([FieldProblem(field: path(context.codingPath), message: "Expected \(describe(type)).")])
        case .valueNotFound(let type, let context):
            return .validation([FieldProblem(field: path(context.codingPath), message: "Expected \(describe(type)), got null.")])
        case .keyNotFound(let key, let context):
            return .validation([FieldProblem(field: path(context.codingPath + [key]), message: "This field is required.")])
        @unknown default:
            return .badRequest("The body could not be read.")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? JSONCoding.snakeCase($0.stringValue) }.joined(separator: ".")
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int16.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default: "a JSON object"
        }
    }
}
