import Foundation
import GuichetDomain
import GuichetServices
import Hummingbird

extension WebController {
    func registerDashboards(on web: RouterGroup<GuichetRequestContext>) {
        web.get("/dashboards", use: dashboardPage)
        web.get("/dashboards/:table", use: dashboardCSV)
    }

    @Sendable func dashboardPage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard DashboardService.maySee(principal) else { throw WebError.notForYou }
        let period = DashboardPeriod(request)
        let dashboard = try await dashboards.dashboard(period.filter, for: principal)
        let words = visitor.language
        let tables = DashboardTables(dashboard, words: words)
        let query = period.query
        let families = try await catalogue.families()
        return renderer.page(
            "dashboards", title: words.word("dashboards"),
            data: [
                "from": period.fromText, "to": period.toText, "department": period.departmentCode ?? "", "type": period.establishmentType ?? "",
                "services": families.flatMap(\.services).map { ["id": $0.id, "name": $0.name, "selected": $0.id == period.serviceID] as [String: Any] },
                "types": ["lycee", "lycee_professionnel", "lycee_agricole", "college", "cfa", "erea"].map { (type: String) -> [String: Any] in
                    ["value": type, "label": words.word("type_\(type)"), "selected": type == period.establishmentType]
                },
                "tables": tables.all.map { table in
                    [
                        "id": table.id, "caption": table.caption, "columns": table.columns, "chart": table.chart,
                        "rows": table.rows.map { ["label": $0.label, "cells": $0.cells] as [String: Any] },
                        "csv": "/dashboards/\(table.id).csv?\(query)",
                    ] as [String: Any]
                },
                "summary": tables.summary,
                "refreshedAt": dashboard.refreshedAt.map { WebFormat.date($0, in: words) } ?? words.word("not_yet"),
            ],
            visitor: visitor
        )
    }

    /// One table of the dashboard as CSV, with the same period and filters as the page.
    @Sendable func dashboardCSV(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        guard DashboardService.maySee(principal) else { throw WebError.notForYou }
        let name = try context.parameters.require("table")
        guard name.hasSuffix(".csv") else { throw ServiceError.notFound("table") }
        let dashboard = try await dashboards.dashboard(DashboardPeriod(request).filter, for: principal)
        guard let table = DashboardTables(dashboard, words: visitor.language).all.first(where: { $0.id == name.dropLast(4) }) else {
            throw ServiceError.notFound("table")
        }
        var lines = [([visitor.language.word("label")] + table.columns).map(CSV.cell).joined(separator: ",")]
        for row in table.rows { lines.append(([row.label] + row.cells).map(CSV.cell).joined(separator: ",")) }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"guichet-\(table.id).csv\""],
            body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\r\n") + "\r\n"))
        )
    }
}

/// The period and filters of a dashboard, from its query string: months `from` and `to` (both
/// included, `YYYY-MM`), the last twelve months by default.
struct DashboardPeriod {
    var from: Date
    var until: Date
    var departmentCode: String?
    var establishmentType: String?
    var serviceID: Int64?

    init(_ request: Request) {
        let parameters = request.uri.queryParameters
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = WebFormat.timeZone
        let thisMonth = calendar.date(from: calendar.dateComponents([.year, .month], from: Date())) ?? Date()
        func month(_ text: String?) -> Date? {
            guard let text, text.count == 7, let year = Int(text.prefix(4)), let month = Int(text.suffix(2)), (1...12).contains(month), (2000...2100).contains(year)
            else { return nil }
            return calendar.date(from: DateComponents(year: year, month: month, day: 1))
        }
        let last = month(parameters.get("to")) ?? thisMonth
        from = month(parameters.get("from")) ?? calendar.date(byAdding: .month, value: -11, to: last) ?? last
        until = calendar.date(byAdding: .month, value: 1, to: last) ?? last
        if from >= until { from = calendar.date(byAdding: .month, value: -11, to: last) ?? last }
        func text(_ name: String) -> String? {
            guard let value = parameters.get(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value.count <= 20 else { return nil }
            return value
        }
        departmentCode = text("department")
        establishmentType = text("type")
        serviceID = text("service").flatMap(Int64.init)
    }

    var filter: DashboardFilter {
        DashboardFilter(from: from, until: until, departmentCode: departmentCode, establishmentType: establishmentType, serviceID: serviceID)
    }

    private static func monthText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = WebFormat.timeZone
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }

    var fromText: String { Self.monthText(from) }
    var toText: String { Self.monthText(until.addingTimeInterval(-86_400)) }

    /// The same period and filters, for links (CSV exports).
    var query: String {
        var items = ["from=\(fromText)", "to=\(toText)"]
        if let departmentCode { items.append("department=\(departmentCode.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
        if let establishmentType { items.append("type=\(establishmentType.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
        if let serviceID { items.append("service=\(serviceID)") }
        return items.joined(separator: "&")
    }
}
