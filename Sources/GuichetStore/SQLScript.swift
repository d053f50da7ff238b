import Foundation

/// Splits a migration file into statements, since the extended query protocol takes one at a time.
/// It knows enough SQL lexing to leave semicolons alone inside quotes, dollar-quoted bodies and comments.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let characters = Array(script)
        var statements: [String] = []
        var current = ""
        var index = 0

        func flush() {
            let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty { statements.append(statement) }
            current = ""
        }

        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                while index < characters.count && characters[index] != "\n" { index += 1 }
                continue
            case "/" where next == "*":
                index += 2
                while index + 1 < characters.count && !(characters[index] == "*" && characters[index + 1] == "/") { index += 1 }
                index += 2
                continue
            case "'", "\"":
                current.append(character)
                index += 1
                while index < characters.count {
                    current.append(characters[index])
                    if characters[index] == character {
                        if index + 1 < characters.count && characters[index + 1] == character {
                            current.append(character)
                            index += 2
                            continue
                        }
                        break
                    }
                    index += 1
                }
                index += 1
                continue
            case "$":
                if let tag = dollarTag(characters, at: index) {
                    current.append(contentsOf: tag)
                    index += tag.count
                    while index < characters.count && !matches(characters, tag, at: index) {
                        current.append(characters[index])
                        index += 1
                    }
                    if index < characters.count {
                        current.append(contentsOf: tag)
                        index += tag.count
                    }
                    continue
                }
            case ";":
                flush()
                index += 1
                continue
            default:
                break
            }
            current.append(character)
            index += 1
        }
        flush()
        return statements
    }

    /// `$$` or `$name$` starting at `index`.
    private static func dollarTag(_ characters: [Character], at index: Int) -> String? {
        var end = index + 1
        while end < characters.count && (characters[end].isLetter || characters[end].isNumber || characters[end] == "_") { end += 1 }
        guard end < characters.count, characters[end] == "$" else { return nil }
        if end > index + 1 && characters[index + 1].isNumber { return nil }
        return String(characters[index...end])
    }

    private static func matches(_ characters: [Character], _ tag: String, at index: Int) -> Bool {
        let tagCharacters = Array(tag)
        guard index + tagCharacters.count <= characters.count else { return false }
        return Array(characters[index..<index + tagCharacters.count]) == tagCharacters
    }
}
