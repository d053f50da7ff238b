import Foundation

/// Quoted-printable (RFC 2045) for message bodies: every line of the result is ASCII and at most
/// 76 characters, so a body goes through any SMTP server, 8BITMIME or not.
public enum QuotedPrintable {
    public static func encode(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalised.split(separator: "\n", omittingEmptySubsequences: false).map { encodeLine(Substring($0)) }.joined(separator: "\r\n")
    }

    private static func encodeLine(_ line: Substring) -> String {
        var output: [String] = []
        var current = ""
        let bytes = Array(line.utf8)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            var token: String
            if byte == UInt8(ascii: "=") || byte > 126 || (byte < 32 && byte != 9) || (isLast && (byte == 32 || byte == 9)) {
                token = String(format: "=%02X", byte)
            } else {
                token = String(UnicodeScalar(byte))
            }
            // a line holds 75 characters and the soft break "="
            if current.count + token.count > 75 {
                output.append(current + "=")
                current = ""
            }
            current += token
        }
        output.append(current)
        return output.joined(separator: "\r\n")
    }
}
