import Foundation

/// An inventory's file as rows of named values: CSV with a header row (comma or semicolon
/// separated, as spreadsheets write them, quotes as RFC 4180 says) or JSON lines (one object a
/// line). Each row keeps its line number, so that a refusal names it.
public enum InventoryFile {
    public enum Format: String, Sendable, CaseIterable, Codable {
        case csv, jsonl
    }

    public struct Row: Sendable, Equatable {
        /// The row's first line in the file, counting from 1 (the header is line 1 of a CSV).
        public var line: Int
        public var values: [String: String]
    }

    /// Why a whole file cannot be read (a row that cannot is reported by `rows` on its own).
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case empty
        case noHeader
        case duplicateColumn(String)
        case notJSONLines(line: Int)

        public var description: String {
            switch self {
            case .empty: "The file is empty."
            case .noHeader: "The first line of a CSV file names its columns (external_id, class, name, ...); it is empty."
            case .duplicateColumn(let name): "The column '\(name)' is named twice in the header."
            case .notJSONLines(let line): "Line \(line) is not a JSON object: the file is not JSON lines."
            }
        }
    }

    /// The rows of `text`, and the lines that could not be read with why.
    public static func rows(of text: String, format: Format) throws(Refusal) -> (rows: [Row], unreadable: [(line: Int, reason: String)]) {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard !text.allSatisfy(\.isWhitespace) else { throw .empty }
        switch format {
        case .csv: return try csv(text)
        case .jsonl: return try jsonLines(text)
        }
    }

    /// The column names of a CSV header line, as rows are read with them.
    public static func columns(ofHeader line: String) -> [String] {
        CSVRecords(line).first?.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? []
    }

    static func csv(_ text: String) throws(Refusal) -> (rows: [Row], unreadable: [(line: Int, reason: String)]) {
        var records = CSVRecords(text).makeIterator()
        guard let header = records.next(), !(header.fields.count == 1 && header.fields[0].isEmpty) else { throw .noHeader }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var seen: Set<String> = []
        for name in names where !name.isEmpty {
            guard seen.insert(name).inserted else { throw .duplicateColumn(name) }
        }
        var rows: [Row] = []
        var unreadable: [(line: Int, reason: String)] = []
        while let record = records.next() {
            if record.fields.allSatisfy(\.isEmpty) { continue }
            if let problem = record.problem {
                unreadable.append((record.line, problem))
                continue
            }
            guard record.fields.count <= names.count else {
                unreadable.append((record.line, "has \(record.fields.count) fields for \(names.count) columns"))
                continue
            }
            var values: [String: String] = [:]
            values.reserveCapacity(names.count)
            for (name, field) in zip(names, record.fields) where !name.isEmpty && !field.isEmpty {
                let value = Self.trimmed(field)
                if !value.isEmpty { values[name] = value }
            }
            rows.append(Row(line: record.line, values: values))
        }
        return (rows, unreadable)
    }

    /// `field` without the spaces and tabs around it; most fields have none, and are returned as they are.
    static func trimmed(_ field: String) -> String {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = field.utf8.first, let last = field.utf8.last, blank(first) || blank(last) else { return field }
        return field.trimmingCharacters(in: .whitespaces)
    }

    static func jsonLines(_ text: String) throws(Refusal) -> (rows: [Row], unreadable: [(line: Int, reason: String)]) {
        var rows: [Row] = []
        var unreadable: [(line: Int, reason: String)] = []
        var readable = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                // a file whose first line is not an object is not JSON lines at all
                if readable == 0 && unreadable.isEmpty { throw .notJSONLines(line: index + 1) }
                unreadable.append((index + 1, "is not a JSON object"))
                continue
            }
            readable += 1
            var values: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let text as String where !text.isEmpty: values[key.lowercased()] = text
                case let number as NSNumber: values[key.lowercased()] = number.stringValue
                case let list as [String]: values[key.lowercased()] = list.joined(separator: "; ")
                default: break
                }
            }
            rows.append(Row(line: index + 1, values: values))
        }
        return (rows, unreadable)
    }
}

/// The records of a CSV text, with the line each starts on. The separator is the header's:
/// a semicolon when it has more of them than commas (spreadsheets in French write those).
struct CSVRecords: Sequence {
    struct Record {
        var line: Int
        var fields: [String]
        /// Why the record cannot be read (an unclosed quote), if it cannot.
        var problem: String?
    }

    let text: String
    let separator: Character

    init(_ text: String) {
        self.text = text
        // `isNewline`: a CRLF is one Character, neither "\n" nor "\r"
        let header = text.prefix { !$0.isNewline }
        separator = header.filter { $0 == ";" }.count > header.filter { $0 == "," }.count ? ";" : ","
    }

    var first: Record? {
        var records = makeIterator()
        return records.next()
    }

    func makeIterator() -> Iterator { Iterator(bytes: Array(text.utf8), separator: separator.asciiValue ?? UInt8(ascii: ",")) }

    /// Reads UTF-8 bytes: quotes, separators and line ends are ASCII, so a multi-byte character is
    /// never taken for one, and each field is decoded once, whole.
    struct Iterator: IteratorProtocol {
        let bytes: [UInt8]
        let separator: UInt8
        var index = 0
        var line = 1

        init(bytes: [UInt8], separator: UInt8) {
            self.bytes = bytes
            self.separator = separator
        }

        mutating func next() -> Record? {
            guard index < bytes.count else { return nil }
            let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
            let start = line
            var fields: [String] = []
            var field: [UInt8] = []
            var quoted = false
            var wasQuoted = false
            func take() {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            }
            while index < bytes.count {
                let c = bytes[index]
                index += 1
                if quoted {
                    if c == quote {
                        if index < bytes.count && bytes[index] == quote {
                            field.append(quote)
                            index += 1
                        } else {
                            quoted = false
                        }
                    } else {
                        if c == newline { line += 1 }
                        field.append(c)
                    }
                    continue
                }
                switch c {
                case quote where field.isEmpty && !wasQuoted:
                    quoted = true
                    wasQuoted = true
                case separator:
                    take()
                    wasQuoted = false
                case carriageReturn:
                    continue
                case newline:
                    line += 1
                    take()
                    return Record(line: start, fields: fields)
                default:
                    field.append(c)
                }
            }
            take()
            return Record(line: start, fields: fields, problem: quoted ? "opens a quote that no quote closes" : nil)
        }
    }
}
