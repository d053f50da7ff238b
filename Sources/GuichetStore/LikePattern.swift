/// A LIKE pattern matching `text` anywhere, its own `%`, `_` and backslashes taken literally.
enum LikePattern {
    static func containing(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
