import Foundation
import GuichetMail
import GuichetStore
import Hummingbird

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
    static func read(_ request: inout Request, context: some RequestContext) async throws -> WebForm {
        let type = request.headers[.contentType] ?? ""
        let body = try await request.collectBody(upTo: maxBytes)
        let bytes = Array(buffer: body)
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
