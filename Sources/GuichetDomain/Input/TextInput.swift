/// What Guichet accepts in text, decided once for every way text comes in.
///
/// Control characters other than tab, line feed and carriage return are never stored: PostgreSQL
/// cannot hold a NUL in text at all, and the others break mail headers, CSV cells and terminals.
/// Text a person sends (API bodies, forms, query parameters, paths) that holds one is refused
/// with the name of its field; text a mail brings has them removed, since a mail must be either
/// recorded or bounced, never retried forever.
public enum TextInput {
    /// C0 controls except tab, line feed and carriage return, and DEL.
    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || scalar.value == 0x7F
    }

    public static func isClean(_ text: some StringProtocol) -> Bool {
        !text.unicodeScalars.contains(where: isForbidden)
    }

    /// The text without its forbidden characters.
    public static func stripped(_ text: String) -> String {
        guard !isClean(text) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { !isForbidden($0) }))
    }

    /// What a person is told about a field that holds one.
    public static let refusal = "This text holds a control character (such as NUL); remove it and send again."
}
