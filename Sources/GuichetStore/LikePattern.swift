/// LIKE patterns matching a text, its own `%`, `_` and backslashes taken literally.
enum LikePattern {
    /// Matches `text` anywhere.
    static func containing(_ text: String) -> String {
        "%" + escaped(text) + "%"
    }

    /// Matches values that start with `text`.
    static func startingWith(_ text: String) -> String {
        escaped(text) + "%"
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
