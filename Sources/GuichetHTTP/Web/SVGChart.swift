import Foundation

/// Bar charts drawn on the server as SVG: no chart library, no script. Each chart has a title and
/// a description for screen readers, and each bar a `<title>` that browsers show on hover. Every
/// text is escaped here, as the chart is placed in the page as markup.
struct SVGChart {
    struct Series {
        var name: String
        /// A CSS class of guichet.css giving the colour.
        var style: String
    }

    var id: String
    var title: String
    var description: String
    var labels: [String]
    var series: [Series]
    /// values[i][s]: the value of series `s` for label `i`.
    var values: [[Double]]

    /// Vertical bars, grouped by label (months, priorities).
    func columns(width: Double = 720, height: Double = 260) -> String {
        let top = 24.0, bottom = 40.0, left = 44.0
        let plotHeight = height - top - bottom
        let maximum = max(values.flatMap { $0 }.max() ?? 0, 1)
        let groupWidth = (width - left - 8) / Double(max(labels.count, 1))
        let barWidth = max(2, (groupWidth - 6) / Double(max(series.count, 1)))
        var svg = header(width: width, height: height)
        svg += axis(x1: left, y1: top + plotHeight, x2: width - 8, y2: top + plotHeight)
        svg += "<text class=\"tick\" x=\"\(left - 6)\" y=\"\(top + 4)\" text-anchor=\"end\">\(Self.number(maximum))</text>"
        svg += "<text class=\"tick\" x=\"\(left - 6)\" y=\"\(top + plotHeight)\" text-anchor=\"end\">0</text>"
        for (index, label) in labels.enumerated() {
            let groupX = left + Double(index) * groupWidth + 3
            for (seriesIndex, one) in series.enumerated() {
                let value = values[index][seriesIndex]
                let barHeight = plotHeight * value / maximum
                let x = groupX + Double(seriesIndex) * barWidth
                svg += "<rect class=\"\(one.style)\" x=\(Self.attribute(x)) y=\(Self.attribute(top + plotHeight - barHeight)) "
                svg += "width=\(Self.attribute(barWidth - 1)) height=\(Self.attribute(barHeight))>"
                svg += "<title>\(Self.escape("\(label) · \(one.name) : \(Self.number(value))"))</title></rect>"
            }
            if labels.count <= 24 {
                svg += "<text class=\"tick\" x=\(Self.attribute(groupX + groupWidth / 2 - 3)) y=\(Self.attribute(height - bottom + 16)) "
                svg += "text-anchor=\"middle\">\(Self.escape(label))</text>"
            }
        }
        return svg + legend(y: height - 8, x: left) + "</svg>"
    }

    /// Horizontal bars, one per label (top establishments, services), the value at the end.
    func bars(width: Double = 720) -> String {
        let rowHeight = 22.0, labelWidth = 280.0
        let height = Double(labels.count) * rowHeight + 12
        let maximum = max(values.map { $0.first ?? 0 }.max() ?? 0, 1)
        var svg = header(width: width, height: height)
        for (index, label) in labels.enumerated() {
            let value = values[index].first ?? 0
            let y = 6 + Double(index) * rowHeight
            let length = (width - labelWidth - 60) * value / maximum
            svg += "<text class=\"label\" x=\(Self.attribute(labelWidth - 6)) y=\(Self.attribute(y + 15)) text-anchor=\"end\">"
            svg += "\(Self.escape(String(label.prefix(40))))</text>"
            svg += "<rect class=\"\(series.first?.style ?? "series-a")\" x=\(Self.attribute(labelWidth)) y=\(Self.attribute(y + 3)) "
            svg += "width=\(Self.attribute(length)) height=\"16\"><title>\(Self.escape("\(label) : \(Self.number(value))"))</title></rect>"
            svg += "<text class=\"value\" x=\(Self.attribute(labelWidth + length + 6)) y=\(Self.attribute(y + 15))>\(Self.number(value))</text>"
        }
        return svg + "</svg>"
    }

    private func header(width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" "
            + "aria-labelledby=\"\(id)-title \(id)-desc\"><title id=\"\(id)-title\">\(Self.escape(title))</title>"
            + "<desc id=\"\(id)-desc\">\(Self.escape(description))</desc>"
    }

    private func axis(x1: Double, y1: Double, x2: Double, y2: Double) -> String {
        "<line class=\"axis\" x1=\(Self.attribute(x1)) y1=\(Self.attribute(y1)) x2=\(Self.attribute(x2)) y2=\(Self.attribute(y2))></line>"
    }

    private func legend(y: Double, x: Double) -> String {
        var svg = ""
        var position = x
        for one in series where series.count > 1 {
            svg += "<rect class=\"\(one.style)\" x=\(Self.attribute(position)) y=\(Self.attribute(y - 10)) width=\"10\" height=\"10\"></rect>"
            svg += "<text class=\"tick\" x=\(Self.attribute(position + 14)) y=\(Self.attribute(y))>\(Self.escape(one.name))</text>"
            position += 20 + Double(one.name.count) * 7
        }
        return svg
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    private static func attribute(_ value: Double) -> String { "\"" + String(format: "%.1f", value) + "\"" }
}
