import Foundation

/// CSV cells: quoted, and a leading formula character neutralised so that a spreadsheet never
/// runs what a ticket's text or an inventory contains.
enum CSV {
    static func cell(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record, its line ending included.
    static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }
}
