import Foundation
import GuichetDomain
import GuichetMail
import Hummingbird
import NIOCore

/// A submitted HTML form: its text fields and its files, whichever encoding the browser chose.
struct WebForm: Sendable {
    var fields: [String: [String]] = [:]
    var files: [String: [MultipartFormData.Part]] = [:]

    /// The largest form accepted: a few attachments and their text.
    static let maxBytes = 26 * 1_048_576

    subscript(_ name: String) -> String? { fields[name]?.first }

    /// The trimmed value, `nil` when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// An impact or urgency level: 1, 2 or 3; `nil` for anything else.
    func level(_ name: String) -> Int? { text(name).flatMap(Int.init).flatMap { (1...3).contains($0) ? $0 : nil } }

    /// The files chosen in a file input, as the store takes them.
    func attachments(_ name: String) -> [NewAttachment] {
        (files[name] ?? []).filter { $0.filename?.isEmpty == false }.map {
            NewAttachment(filename: $0.filename ?? "", contentType: $0.contentType, bytes: $0.bytes)
        }
    }

    /// Reads the body of a form post: `application/x-www-form-urlencoded` or `multipart/form-data`.
    /// A form too large or holding a control character in a field is refused as a whole (`WebError`).
    static func read(_ request: inout Request, context: some RequestContext) async throws -> WebForm {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes { throw WebError.formTooLarge }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw WebError.formTooLarge
        }
        let form = try parse(Array(buffer: body), contentType: request.headers[.contentType] ?? "")
        if let field = form.fieldWithControlCharacter { throw WebError.controlCharacter(field: field) }
        return form
    }

    /// The first field (or file name) that holds a forbidden character.
    var fieldWithControlCharacter: String? {
        for (name, values) in fields.sorted(by: { $0.key < $1.key }) where !TextInput.isClean(name) || !values.allSatisfy(TextInput.isClean) {
            return name
        }
        for (name, parts) in files.sorted(by: { $0.key < $1.key }) where !parts.allSatisfy({ TextInput.isClean($0.filename ?? "") }) {
            return name
        }
        return nil
    }

    private static func parse(_ bytes: [UInt8], contentType type: String) throws -> WebForm {
        if type.lowercased().hasPrefix("multipart/form-data") {
            do {
                let parsed = try MultipartFormData.parse(bytes, contentType: type)
                var form = WebForm()
                for part in parsed.parts {
                    if part.filename != nil {
                        form.files[part.name, default: []].append(part)
                    } else {
                        form.fields[part.name, default: []].append(part.text)
                    }
                }
                return form
            } catch {
                throw HTTPError(.badRequest, message: "The form could not be read.")
            }
        }
        return WebForm(fields: urlEncoded(String(decoding: bytes, as: UTF8.self)))
    }

    static func urlEncoded(_ text: String) -> [String: [String]] {
        var fields: [String: [String]] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String { String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(parts[0])
            fields[name, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return fields
    }
}
