import Foundation

/// Why an incoming message was refused; the text goes into the bounce.
public enum InboundMailError: Error, Equatable, CustomStringConvertible {
    case tooLarge(limit: Int)
    case headerTooLarge
    case tooManyParts(limit: Int)
    case noSender
    /// The sender may not do what the message asks (a partner, who only reads, writing in).
    case notAllowed(String)

    public var description: String {
        switch self {
        case .notAllowed(let why): why
        case .tooLarge(let limit): "the message is larger than \(limit / 1_048_576) MiB"
        case .headerTooLarge: "the message header is larger than 256 KiB"
        case .tooManyParts(let limit): "the message has more than \(limit) MIME parts"
        case .noSender: "the message has no readable From address"
        }
    }
}

/// Reads RFC 5322 / MIME messages: folded headers, multipart at any depth (bounded), base64 and
/// quoted-printable, charsets. Linear in the size of the message and bounded in depth and parts,
/// so that no message, however malformed, can crash it or keep it busy.
public enum MIMEParser {
    public struct Limits: Sendable {
        public var maxBytes = 10 * 1_048_576
        public var maxHeaderBytes = 256 * 1024
        public var maxParts = 500
        public var maxDepth = 8

        public init() {}
    }

    public static func parse(_ raw: [UInt8], limits: Limits = Limits()) throws(InboundMailError) -> ParsedMail {
        guard raw.count <= limits.maxBytes else { throw .tooLarge(limit: limits.maxBytes) }
        let (headers, body) = try split(raw[...], limits: limits)
        var state = Walk(limits: limits)
        try state.walk(headers: headers, body: body, depth: 0)
        return ParsedMail(headers: headers, text: state.text ?? state.htmlText ?? "", attachments: state.attachments)
    }

    /// Headers (unfolded) and body of an entity.
    static func split(_ bytes: ArraySlice<UInt8>, limits: Limits) throws(InboundMailError) -> ([(name: String, value: String)], ArraySlice<UInt8>) {
        var lines: [String] = []
        var index = bytes.startIndex
        var headerBytes = 0
        while index < bytes.endIndex {
            let end = bytes[index...].firstIndex(of: 10) ?? bytes.endIndex
            var line = bytes[index..<end]
            if line.last == 13 { line = line.dropLast() }
            index = end < bytes.endIndex ? end + 1 : end
            if line.isEmpty { break }
            headerBytes += line.count
            guard headerBytes <= limits.maxHeaderBytes else { throw .headerTooLarge }
            let text = Charsets.decode(Array(line), charset: "utf-8")
            if let first = line.first, first == 32 || first == 9, !lines.isEmpty {
                lines[lines.count - 1] += " " + text.trimmingCharacters(in: .whitespaces)
            } else {
                lines.append(text)
            }
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
            return (name, String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        return (headers, bytes[index...])
    }

    /// `text/plain; charset="utf-8"` as its type and parameters.
    static func contentType(_ value: String?) -> (type: String, parameters: [String: String]) {
        let parts = (value ?? "text/plain").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            parameters[key] = part[part.index(after: equals)...].trimmingCharacters(in: CharacterSet(charactersIn: " \""))
        }
        return ((parts.first ?? "text/plain").lowercased(), parameters)
    }

    struct Walk {
        let limits: Limits
        var parts = 0
        var text: String?
        var htmlText: String?
        var attachments: [ParsedMail.Attachment] = []

        mutating func walk(headers: [(name: String, value: String)], body: ArraySlice<UInt8>, depth: Int) throws(InboundMailError) {
            parts += 1
            guard parts <= limits.maxParts else { throw .tooManyParts(limit: limits.maxParts) }
            func header(_ name: String) -> String? { headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
            let (type, parameters) = MIMEParser.contentType(header("Content-Type"))
            if type.hasPrefix("multipart/"), let boundary = parameters["boundary"], !boundary.isEmpty, depth < limits.maxDepth {
                for part in MIMEParser.parts(of: body, boundary: Array("--\(boundary)".utf8)) {
                    let (partHeaders, partBody) = try MIMEParser.split(part, limits: limits)
                    try walk(headers: partHeaders, body: partBody, depth: depth + 1)
                }
                return
            }
            let encoding = header("Content-Transfer-Encoding")?.lowercased() ?? "7bit"
            let decoded: [UInt8] =
                switch encoding {
                case "base64": Array(Base64Lenient.decode(String(decoding: body, as: UTF8.self)))
                case "quoted-printable": QuotedPrintableDecoder.decode(Array(body))
                default: Array(body)
                }
            let disposition = header("Content-Disposition")?.lowercased() ?? ""
            let filename = MIMEParser.contentType("x; " + (header("Content-Disposition") ?? "")).parameters["filename"] ?? parameters["name"]
            if disposition.hasPrefix("attachment") || (!type.hasPrefix("text/") && type != "message/rfc822") || filename != nil {
                attachments.append(.init(filename: filename.map(EncodedWords.decode), contentType: type, size: decoded.count))
                return
            }
            let content = Charsets.decode(decoded, charset: parameters["charset"] ?? "utf-8")
            if type == "text/plain", text == nil {
                text = content
            } else if type == "text/html", htmlText == nil {
                htmlText = HTMLText.plain(content)
            }
        }
    }

    /// The parts between boundary lines; an unclosed last part still counts.
    static func parts(of body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var current: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let end = body[index...].firstIndex(of: 10) ?? body.endIndex
            var line = body[index..<end]
            if line.last == 13 { line = line.dropLast() }
            if line.starts(with: boundary) {
                let after = line.dropFirst(boundary.count)
                if let start = current { parts.append(body[start..<max(start, index - 1)]) }
                if after.starts(with: [45, 45]) { return parts }  // "--": the closing boundary
                current = end < body.endIndex ? end + 1 : end
            }
            index = end < body.endIndex ? end + 1 : end
        }
        if let start = current, start < body.endIndex { parts.append(body[start...]) }
        return parts
    }
}

/// The text of an HTML part, for messages sent without a plain one.
enum HTMLText {
    static func plain(_ html: String) -> String {
        // bounded: regular expressions over megabytes of hostile markup would take too long
        var text = String(html.prefix(200_000)).replacingOccurrences(of: "(?is)<(script|style)[^>]*>.*?</\\1>", with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: "(?i)<br\\s*/?>|</p>|</div>", with: "\n", options: .regularExpression)
        text = text.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }
}
