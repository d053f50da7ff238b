import Foundation
import GuichetServices

/// The dashboard's tables as the page and the CSV exports show them, each with its chart.
struct DashboardTables {
    struct Table {
        var id: String
        var caption: String
        var columns: [String]
        var rows: [(label: String, cells: [String])]
        /// SVG markup built by `SVGChart`, which escapes every text it holds.
        var chart: String
    }

    var all: [Table] = []
    var summary: [[String: String]] = []

    init(_ dashboard: Dashboard, words: WebLanguage) {
        func number(_ value: Double) -> String { SVGChart.number(value) }
        func hours(_ value: Double) -> String { String(format: "%.1f", value) }
        let monthly = dashboard.monthly
        all.append(
            Table(
                id: "monthly", caption: words.word("chart_monthly"), columns: [words.word("opened"), words.word("resolved")],
                rows: monthly.map { ($0.label, $0.values.map(number)) },
                chart: SVGChart(
                    id: "chart-monthly", title: words.word("chart_monthly"), description: words.word("chart_monthly_desc"), labels: monthly.map(\.label),
                    series: [.init(name: words.word("opened"), style: "series-a"), .init(name: words.word("resolved"), style: "series-b")],
                    values: monthly.map(\.values)
                ).columns()
            )
        )
        let backlog = dashboard.backlog
        all.append(
            Table(
                id: "backlog", caption: words.word("chart_backlog"), columns: [words.word("open_tickets")],
                rows: backlog.map { ($0.label, $0.values.map(number)) },
                chart: SVGChart(
                    id: "chart-backlog", title: words.word("chart_backlog"), description: words.word("chart_backlog_desc"), labels: backlog.map(\.label),
                    series: [.init(name: words.word("open_tickets"), style: "series-c")], values: backlog.map(\.values)
                ).bars()
            )
        )
        let compliance = dashboard.compliance
        all.append(
            Table(
                id: "compliance", caption: words.word("chart_compliance"), columns: [words.word("met"), words.word("missed"), words.word("compliance_rate")],
                rows: compliance.map { row in
                    let (met, missed) = (row.values[0], row.values[1])
                    let rate = met + missed > 0 ? String(format: "%.1f %%", 100 * met / (met + missed)) : "—"
                    return (words.word("clock_\(row.label)"), row.values.map(number) + [rate])
                },
                chart: SVGChart(
                    id: "chart-compliance", title: words.word("chart_compliance"), description: words.word("chart_compliance_desc"),
                    labels: compliance.map { words.word("clock_\($0.label)") },
                    series: [.init(name: words.word("met"), style: "series-b"), .init(name: words.word("missed"), style: "series-d")],
                    values: compliance.map(\.values)
                ).columns(height: 220)
            )
        )
        let resolutions = dashboard.resolutions
        let hoursText = { (value: Double?) in value.map(hours) ?? "—" }
        all.append(
            Table(
                id: "resolutions", caption: words.word("chart_resolutions"),
                columns: [words.word("resolved"), words.word("mean_hours"), words.word("median_hours")],
                rows: [
                    (words.word("mode_remote"), [number(resolutions.remote), "—", "—"]),
                    (words.word("mode_on_site"), [number(resolutions.onSite), "—", "—"]),
                    (words.word("mode_total"), [number(resolutions.resolved), hoursText(resolutions.meanHours), hoursText(resolutions.medianHours)]),
                ],
                chart: SVGChart(
                    id: "chart-resolutions", title: words.word("chart_resolutions"), description: words.word("chart_resolutions_desc"),
                    labels: [words.word("mode_remote"), words.word("mode_on_site")], series: [.init(name: words.word("resolved"), style: "series-b")],
                    values: [[resolutions.remote], [resolutions.onSite]]
                ).bars()
            )
        )
        for (id, rows) in [("top-establishments", dashboard.topEstablishments), ("top-services", dashboard.topServices)] {
            let caption = words.word(id == "top-establishments" ? "chart_top_establishments" : "chart_top_services")
            all.append(
                Table(
                    id: id, caption: caption, columns: [words.word("tickets")], rows: rows.map { ($0.label, $0.values.map(number)) },
                    chart: SVGChart(
                        id: "chart-\(id)", title: caption, description: caption, labels: rows.map(\.label),
                        series: [.init(name: words.word("tickets"), style: "series-a")], values: rows.map(\.values)
                    ).bars()
                )
            )
        }
        let opened = monthly.reduce(0) { $0 + $1.values[0] }
        let resolved = monthly.reduce(0) { $0 + $1.values[1] }
        summary = [
            ["label": words.word("opened"), "value": number(opened)], ["label": words.word("resolved"), "value": number(resolved)],
            ["label": words.word("open_tickets"), "value": number(dashboard.backlog.reduce(0) { $0 + $1.values[0] })],
            ["label": words.word("remote_share"), "value": resolutions.resolved > 0 ? String(format: "%.0f %%", 100 * resolutions.remote / resolutions.resolved) : "—"],
            ["label": words.word("mean_hours"), "value": hoursText(resolutions.meanHours)],
            ["label": words.word("median_hours"), "value": hoursText(resolutions.medianHours)],
        ]
    }
}
