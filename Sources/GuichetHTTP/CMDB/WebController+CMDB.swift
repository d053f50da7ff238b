import Foundation
import GuichetDomain
import GuichetServices
import Hummingbird

extension WebController {
    func registerCIPages(on web: RouterGroup<GuichetRequestContext>) {
        web.get("/cis/:id", use: ciPage)
        web.post("/tickets/:ref/cis", use: linkCI)
        web.post("/tickets/:ref/cis/:ci/unlink", use: unlinkCI)
    }

    /// The ticket page's "link equipment": the CI chosen from the list, else the one CI of the
    /// staff member's perimeter that the words typed name (without the page's script).
    @Sendable func linkCI(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let ref = try context.parameters.require("ref")
        guard let form = context.form else { throw WebError.forbiddenForm }
        let words = visitor.language
        do {
            var chosen = form.text("ci").flatMap(Int64.init)
            if chosen == nil, let typed = form.text("equipment") {
                let found = try await cmdb.list(CIFilter(text: String(typed.prefix(100)), inUse: true), cursor: nil, limit: 2, for: principal).items
                if found.count == 1 { chosen = found[0].id }
            }
            guard let ci = chosen else { throw ServiceError.validation([FieldProblem(field: "link-ci-field", message: words.word("error_link_ci"))]) }
            _ = try await tickets.link(ci: ci, toTicket: ref, by: principal)
            return Self.redirect("/tickets/\(ref)?done=ci_linked")
        } catch ServiceError.validation(let problems) {
            // the service's "cis" problem (no such CI in the perimeter) in the page's words
            let errors = problems.map { ["field": "link-ci-field", "message": $0.field == "cis" ? words.word("error_ci_unknown") : $0.message] }
            return try await ticketView(ref, visitor: visitor, principal: principal, extra: ["errors": errors], status: .unprocessableContent)
        }
    }

    @Sendable func unlinkCI(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (_, principal) = try Self.signedIn(request, context)
        let ref = try context.parameters.require("ref")
        guard context.form != nil else { throw WebError.forbiddenForm }
        let ci = try Self.rowID(context, "ci", naming: "configuration item")
        try await tickets.unlink(ci: ci, fromTicket: ref, by: principal)
        return Self.redirect("/tickets/\(ref)?done=ci_unlinked")
    }

    /// A CI's page: what it is, its relations, what fails with it (drawn, then listed), its tickets.
    @Sendable func ciPage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let (visitor, principal) = try Self.signedIn(request, context)
        let id = try Self.rowID(context, "id", naming: "configuration item")
        let words = visitor.language
        let ci = try await cmdb.ci(id, for: principal)
        let impact = try await cmdb.impact(of: id, direction: .down, depth: 10, for: principal)
        let tickets = try await cmdb.tickets(ofCI: id, for: principal, limit: 50)
        var facts: [[String: String]] = []
        func fact(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { facts.append(["name": words.word(key), "value": value]) }
        }
        fact("ci_class", words.word("class_\(ci.class.rawValue)"))
        fact("ci_status", words.word("ci_status_\(ci.status.rawValue)"))
        fact("establishment", ci.establishment?.name)
        fact("ci_room", ci.room)
        fact("ci_owner", ci.owner?.name)
        fact("ci_serial", ci.serial)
        fact("ci_asset_tag", ci.assetTag)
        fact("ci_make", [ci.brand, ci.model].compactMap { $0 }.joined(separator: " "))
        fact("ci_os", ci.os)
        fact("ci_ip", ci.ip)
        fact("ci_mac", ci.mac)
        fact("ci_warranty_end", ci.warrantyEnd)
        if let antivirus = ci.antivirus {
            fact("ci_antivirus", words.word(antivirus.protected ? "antivirus_protected" : "antivirus_unprotected")
                + (antivirus.signaturesAt.map { " · " + words.word("antivirus_signatures") + " " + WebFormat.date($0, in: words) } ?? ""))
        }
        fact("ci_source", ci.source.map { "\($0) · \(ci.externalId ?? "")" })
        fact("ci_last_seen", ci.lastSeenAt.map { WebFormat.date($0, in: words) })
        for (name, value) in ci.attributes.sorted(by: { $0.key < $1.key }) { facts.append(["name": name, "value": value]) }
        let relations = (ci.relations ?? []).map { relation -> [String: Any] in
            [
                "id": relation.ci.id, "name": relation.ci.name, "classText": words.word("class_\(relation.ci.class.rawValue)"),
                "kindText": words.word("relation_\(relation.side.rawValue)_\(relation.kind.rawValue)"), "port": relation.port ?? "",
            ]
        }
        let names = Dictionary(impact.items.map { ($0.ci.id, $0.ci.name) }, uniquingKeysWith: { first, _ in first })
        let data: [String: Any] = [
            "ci": ["id": ci.id, "name": ci.name, "classText": words.word("class_\(ci.class.rawValue)")],
            "facts": facts, "relations": relations,
            "hiddenRelations": (ci.hiddenRelations ?? 0) > 0 ? words.word("hidden_count").replacingOccurrences(of: "{count}", with: "\(ci.hiddenRelations ?? 0)") : "",
            "impactLine": Self.impactLine(impact, words: words),
            "drawing": impact.items.isEmpty ? "" : ImpactDrawing(impact: impact, title: Self.impactLine(impact, words: words), more: words.word("drawing_more")).svg,
            "impacted": impact.items.prefix(500).map { item -> [String: Any] in
                [
                    "id": item.ci.id, "name": item.ci.name, "classText": words.word("class_\(item.ci.class.rawValue)"), "depth": item.depth,
                    "through": item.path.dropLast().last.flatMap { names[$0] } ?? ci.name,
                ]
            },
            "tickets": tickets.map { ["ref": $0.ref, "title": $0.title, "statusText": WebFormat.status($0.status, in: words)] as [String: Any] },
        ]
        return renderer.page("ci", title: ci.name, data: data, visitor: visitor)
    }

    /// What a CI's failure takes with it, in a sentence: "takes with it 42 CIs, among them 30
    /// workstations, and 1 business service: Wi-Fi du bâtiment B".
    static func impactLine(_ impact: ImpactView, words: WebLanguage) -> String {
        guard !impact.items.isEmpty || impact.hidden > 0 else { return words.word("impact_none") }
        let families = Dictionary(grouping: impact.items, by: { $0.ci.class.family }).mapValues(\.count)
        var parts: [String] = []
        for family in CIClass.Family.allCases where family != .service {
            if let count = families[family] {
                parts.append(words.word("family_count").replacingOccurrences(of: "{family}", with: words.word("family_ci_\(family.rawValue)"))
                    .replacingOccurrences(of: "{count}", with: "\(count)"))
            }
        }
        var line = impact.items.count == 1
            ? words.word("impact_takes_one") : words.word("impact_takes").replacingOccurrences(of: "{count}", with: "\(impact.items.count)")
        if !parts.isEmpty { line += " (" + parts.joined(separator: ", ") + ")" }
        if !impact.businessServices.isEmpty {
            line += words.word("impact_services") + impact.businessServices.prefix(5).map(\.name).joined(separator: ", ")
        }
        if impact.hidden > 0 { line += " · " + words.word("hidden_count").replacingOccurrences(of: "{count}", with: "\(impact.hidden)") }
        return line
    }
}
