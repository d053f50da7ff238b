import Foundation

/// Header values as RFC 5322 and RFC 2047 want them: no line break can get in (a CR or LF in a
/// subject would otherwise start a header of the sender's choosing), and text that is not plain
/// ASCII travels as UTF-8 encoded words.
public enum HeaderEncoding {
    /// The value with every control character replaced by a space and runs of spaces collapsed.
    public static func sanitized(_ value: String) -> String {
        let cleaned = String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? " " : $0 }))
        return cleaned.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// Unstructured text (a subject): plain ASCII as is, anything else as encoded words of at most
    /// 75 characters, folded onto continuation lines.
    public static func text(_ value: String) -> String {
        let clean = sanitized(value)
        if isPlain(clean) && clean.utf8.count <= 900 { return clean }
        return encodedWords(clean)
    }

    /// A display name: a quoted string when plain ASCII, encoded words otherwise.
    public static func phrase(_ value: String) -> String {
        let clean = sanitized(value)
        if isPlain(clean) {
            let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return encodedWords(clean)
    }

    /// ASCII that no mail reader would take for encoded words: a title typed as `=?utf-8?q?...?=`
    /// must reach the subject as typed, not as the text its author hid in it.
    static func isPlain(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy({ $0.isASCII }) && !value.contains("=?")
    }

    /// `=?UTF-8?B?...?=` words, each holding whole characters (never half of a UTF-8 sequence).
    static func encodedWords(_ value: String) -> String {
        var words: [String] = []
        var chunk = Data()
        // 75 characters per word: "=?UTF-8?B?" + "?=" leave 63 for base64, that is 45 bytes of text
        for character in value {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }
}
