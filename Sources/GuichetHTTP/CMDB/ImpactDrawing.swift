import Foundation
import GuichetServices

/// The impact of a CI as a drawing: the CI on the left, what fails with it in columns by distance,
/// each linked to the CI it fails through. Server-rendered SVG like the dashboards' charts; every
/// text is escaped. A column shows its first CIs and counts the others.
struct ImpactDrawing {
    static let perColumn = 12
    let impact: ImpactView
    let title: String
    let more: String

    var svg: String {
        var columns: [[ImpactView.Reached]] = []
        for item in impact.items {
            while columns.count < item.depth { columns.append([]) }
            columns[item.depth - 1].append(item)
        }
        let shown = columns.map { Array($0.prefix(Self.perColumn)) }
        let rows = max(1, shown.map(\.count).max() ?? 1) + (columns.contains { $0.count > Self.perColumn } ? 1 : 0)
        let boxWidth = 170.0, boxHeight = 22.0, gap = 40.0, rowGap = 8.0
        let width = (boxWidth + gap) * Double(columns.count + 1) + 10
        let height = max(60, Double(rows) * (boxHeight + rowGap) + 20)
        var places: [Int64: (x: Double, y: Double)] = [:]
        var boxes = ""
        var lines = ""
        func box(_ name: String, id: Int64?, x: Double, y: Double, style: String) -> String {
            let label = SVGChart.escape(String(name.prefix(26)))
            let rect = "<rect class=\"\(style)\" x=\"\(x)\" y=\"\(y)\" width=\"\(boxWidth)\" height=\"\(boxHeight)\" rx=\"4\"><title>\(SVGChart.escape(name))</title></rect>"
            let text = "<text class=\"label\" x=\"\(x + 6)\" y=\"\(y + 15)\">\(label)</text>"
            guard let id else { return rect + text }
            return "<a href=\"/cis/\(id)\">" + rect + text + "</a>"
        }
        places[impact.ci.id] = (10, 10)
        boxes += box(impact.ci.name, id: nil, x: 10, y: 10, style: "impact-root")
        for (index, column) in shown.enumerated() {
            let x = 10 + Double(index + 1) * (boxWidth + gap)
            for (row, item) in column.enumerated() {
                let y = 10 + Double(row) * (boxHeight + rowGap)
                places[item.ci.id] = (x, y)
                boxes += box(item.ci.name, id: item.ci.id, x: x, y: y, style: "impact-node impact-\(item.ci.class.family.rawValue)")
                // the step before this one on its path, when drawn
                if item.path.count >= 2, let from = places[item.path[item.path.count - 2]] {
                    lines += "<line class=\"impact-link\" x1=\"\(from.x + boxWidth)\" y1=\"\(from.y + boxHeight / 2)\" x2=\"\(x)\" y2=\"\(y + boxHeight / 2)\"></line>"
                }
            }
            let hidden = columns[index].count - column.count
            if hidden > 0 {
                let y = 10 + Double(column.count) * (boxHeight + rowGap)
                boxes += "<text class=\"tick\" x=\"\(x + 6)\" y=\"\(y + 15)\">\(SVGChart.escape(more.replacingOccurrences(of: "{count}", with: "\(hidden)")))</text>"
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"impact\" viewBox=\"0 0 \(width) \(height)\" "
            + "aria-label=\"\(SVGChart.escape(title))\">" + lines + boxes + "</svg>"
    }
}
