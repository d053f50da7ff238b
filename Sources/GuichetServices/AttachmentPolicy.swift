import Crypto
import Foundation
import GuichetStore

/// What may be joined to a ticket: a few files of common office and image types, each under a size
/// limit. Checked before anything is written, every problem reported at once.
public struct AttachmentPolicy: Sendable {
    public var maxBytes = 10 * 1_048_576
    public var maxFiles = 5
    /// Types a school's staff send: screenshots, photos of a screen, PDFs, office documents, logs.
    public var allowedTypes: Set<String> = [
        "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/msword", "application/vnd.ms-excel", "application/zip",
    ]

    public init() {}

    /// The problems of `files`, in the words a user can act on; empty when all may be stored.
    public func problems(_ files: [NewAttachment], field: String = "attachment") -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if files.count > maxFiles { problems.append(.init(field: field, message: "At most \(maxFiles) files per message.")) }
        for file in files {
            if file.bytes.isEmpty { problems.append(.init(field: field, message: "The file '\(file.filename)' is empty.")) }
            if file.bytes.count > maxBytes {
                problems.append(.init(field: field, message: "The file '\(file.filename)' is larger than \(maxBytes / 1_048_576) MB."))
            }
            if !allowedTypes.contains(file.contentType) {
                problems.append(.init(field: field, message: "The type of '\(file.filename)' (\(file.contentType)) is not accepted."))
            }
        }
        return problems
    }

    /// A name safe to send back in a download header: no path, no control or quote characters.
    public static func cleanFilename(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = last.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 && $0 != "\"" && $0 != ";" }
        let cleaned = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty ? "fichier" : String(cleaned.prefix(200))
    }

    static func digest(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
}
