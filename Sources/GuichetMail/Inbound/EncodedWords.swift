import Foundation
import GuichetDomain

/// RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?iso-8859-1?Q?...?=`) in header values, decoded.
public enum EncodedWords {
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var output = ""
        var rest = Substring(value)
        var previousWasWord = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            // whitespace between two encoded words is not part of the text
            if !(previousWasWord && before.allSatisfy(\.isWhitespace)) { output += before }
            let afterStart = rest[start.upperBound...]
            guard let decoded = word(in: afterStart) else {
                output += "=?"
                rest = afterStart
                previousWasWord = false
                continue
            }
            output += decoded.text
            rest = decoded.rest
            previousWasWord = true
        }
        return output + rest
    }

    /// `charset?B|Q?text?=` at the start of `text`.
    private static func word(in text: Substring) -> (text: String, rest: Substring)? {
        let parts = text.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3].hasPrefix("="), parts[0].count < 40, parts[2].count < 1_000 else { return nil }
        let charset = String(parts[0].split(separator: "*").first ?? "")
        let bytes: [UInt8]
        switch parts[1].uppercased() {
        case "B": bytes = Array(Base64Lenient.decode(String(parts[2])))
        case "Q": bytes = QuotedPrintableDecoder.decode(Array(parts[2].replacingOccurrences(of: "_", with: " ").utf8))
        default: return nil
        }
        return (Charsets.decode(bytes, charset: charset), parts[3].dropFirst())
    }
}

/// Body and word decoding that never fails: malformed input gives what can be read.
enum Base64Lenient {
    static func decode(_ text: String) -> Data {
        let clean = text.filter { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || $0 == "+" || $0 == "/" }
        let padded = clean + String(repeating: "=", count: (4 - clean.count % 4) % 4)
        return Data(base64Encoded: padded) ?? Data(base64Encoded: String(padded.dropLast(4))) ?? Data()
    }
}

enum QuotedPrintableDecoder {
    static func decode(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < bytes.count, let value = hex(bytes[index + 1], bytes[index + 2]) {
                    output.append(value)
                    index += 3
                    continue
                }
                // soft line break: "=" then CRLF or LF
                if index + 1 < bytes.count, bytes[index + 1] == 10 {
                    index += 2
                    continue
                }
                if index + 2 < bytes.count, bytes[index + 1] == 13, bytes[index + 2] == 10 {
                    index += 3
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    private static func hex(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let h = digit(high), let l = digit(low) else { return nil }
        return h << 4 | l
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }
}

/// Text in the charsets schools' mail arrives in; anything unknown is read as Latin-1, which never fails.
/// Every text of a received message (header lines, encoded words, body parts) is decoded here,
/// and leaves without the control characters Guichet never stores (`TextInput`): a mail that
/// brings a NUL is recorded without it rather than refused or retried forever.
enum Charsets {
    static func decode(_ bytes: [UInt8], charset: String) -> String {
        TextInput.stripped(decodeAll(bytes, charset: charset))
    }

    private static func decodeAll(_ bytes: [UInt8], charset: String) -> String {
        let data = Data(bytes)
        switch charset.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " \"'")) {
        case "utf-8", "utf8", "us-ascii", "ascii", "":
            return String(decoding: bytes, as: UTF8.self)
        case "windows-1252", "cp1252":
            return String(data: data, encoding: .windowsCP1252) ?? latin1(bytes)
        case "utf-16":
            return String(data: data, encoding: .utf16) ?? latin1(bytes)
        default:
            return latin1(bytes)
        }
    }

    static func latin1(_ bytes: [UInt8]) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
