import Crypto
import Foundation
import GuichetDomain
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

    /// What is wrong with files, each with the facts a message needs in any language.
    public enum Problem: Sendable, Equatable {
        case tooMany(max: Int)
        case empty(file: String)
        case tooLarge(file: String, maxMegabytes: Int)
        case typeRefused(file: String, type: String)

        /// The English sentence the API returns.
        public var message: String {
            switch self {
            case .tooMany(let max): "At most \(max) files per message."
            case .empty(let file): "The file '\(file)' is empty."
            case .tooLarge(let file, let max): "The file '\(file)' is larger than \(max) MB."
            case .typeRefused(let file, let type): "The type of '\(file)' (\(type)) is not accepted."
            }
        }
    }

    /// The problems of `files`; empty when all may be stored.
    public func check(_ files: [NewAttachment]) -> [Problem] {
        var problems: [Problem] = []
        if files.count > maxFiles { problems.append(.tooMany(max: maxFiles)) }
        for file in files {
            if file.bytes.isEmpty { problems.append(.empty(file: file.filename)) }
            if file.bytes.count > maxBytes { problems.append(.tooLarge(file: file.filename, maxMegabytes: maxBytes / 1_048_576)) }
            if !allowedTypes.contains(file.contentType) { problems.append(.typeRefused(file: file.filename, type: file.contentType)) }
        }
        return problems
    }

    /// The problems of `files` as the fields of a refused request.
    public func problems(_ files: [NewAttachment], field: String = "attachment") -> [FieldProblem] {
        check(files).map { FieldProblem(field: field, message: $0.message) }
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
