import Foundation

/// A `multipart/form-data` body (RFC 7578), as browsers send forms with files.
public struct MultipartFormData: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var name: String
        /// Set for a file input, even when no file was chosen (then empty).
        public var filename: String?
        public var contentType: String
        public var bytes: [UInt8]

        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    public enum ParseError: Error, Equatable {
        case noBoundary
        case malformed
        case tooManyParts(limit: Int)
    }

    public var parts: [Part]

    /// The first text value sent under `name`.
    public func value(_ name: String) -> String? { parts.first { $0.name == name && $0.filename == nil }?.text }

    /// The files sent under `name` (empty file inputs left out).
    public func files(_ name: String) -> [Part] { parts.filter { $0.name == name && $0.filename?.isEmpty == false } }

    /// Parses `body` sent with `contentType` (which names the boundary). Part contents are exact:
    /// a file's bytes end where the CRLF before the next boundary begins.
    public static func parse(_ body: [UInt8], contentType: String, maxParts: Int = 50) throws(ParseError) -> MultipartFormData {
        let (type, parameters) = MIMEParser.contentType(contentType)
        guard type == "multipart/form-data", let boundary = parameters["boundary"], !boundary.isEmpty, boundary.count <= 200 else {
            throw .noBoundary
        }
        let delimiter = Array("--\(boundary)".utf8)
        guard var start = find(delimiter, in: body, from: 0) else { throw .malformed }
        var parts: [Part] = []
        let separator: [UInt8] = [13, 10] + delimiter
        while true {
            var index = start + delimiter.count
            if body[index...].starts(with: [45, 45]) { break }  // "--": the closing delimiter
            guard body[index...].starts(with: [13, 10]) else { throw .malformed }
            index += 2
            guard let end = find(separator, in: body, from: index) else { throw .malformed }
            guard parts.count < maxParts else { throw .tooManyParts(limit: maxParts) }
            parts.append(try part(body[index..<end]))
            start = end + 2
        }
        return MultipartFormData(parts: parts)
    }

    private static func part(_ entity: ArraySlice<UInt8>) throws(ParseError) -> Part {
        guard let blank = find([13, 10, 13, 10], in: entity, from: entity.startIndex) else { throw .malformed }
        let headerText = String(decoding: entity[entity.startIndex..<blank], as: UTF8.self)
        var disposition = ""
        var contentType = "text/plain"
        for line in headerText.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-disposition" { disposition = value }
            if name == "content-type" { contentType = value }
        }
        let parameters = MIMEParser.contentType(disposition).parameters
        guard disposition.lowercased().hasPrefix("form-data"), let name = parameters["name"] else { throw .malformed }
        return Part(name: name, filename: parameters["filename"], contentType: MIMEParser.contentType(contentType).type, bytes: Array(entity[(blank + 4)...]))
    }

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>, from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = max(from, haystack.startIndex)
        let last = haystack.endIndex - needle.count
        while index <= last {
            guard let first = haystack[index...last].firstIndex(of: needle[0]) else { return nil }
            if haystack[first..<(first + needle.count)].elementsEqual(needle) { return first }
            index = first + 1
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? { find(needle, in: haystack[...], from: from) }
}
