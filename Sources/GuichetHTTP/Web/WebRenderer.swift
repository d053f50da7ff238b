import Foundation
import GuichetDomain
import GuichetServices
import Hummingbird
import Mustache

/// Renders the pages from the Mustache templates in `Resources/Templates`. Every `{{value}}` is
/// HTML-escaped by Mustache; the templates use no triple braces, so nothing a user typed can
/// become markup.
struct WebRenderer: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        let directory = Bundle.module.url(forResource: "Templates", withExtension: nil, subdirectory: "Resources")
        let names = directory.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) } ?? []
        for name in names where name.hasSuffix(".mustache") {
            guard let directory, let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) else { continue }
            do {
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                preconditionFailure("template \(name) does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// A whole page: the template `name` inside the common frame, in the visitor's language.
    func page(
        _ name: String, title: String, data: [String: Any] = [:], visitor: WebVisitor, status: HTTPResponse.Status = .ok
    ) -> Response {
        var context = data
        context["t"] = visitor.language.words
        context["lang"] = visitor.language.rawValue
        context["pageTitle"] = title
        context["visitor"] = visitor.templateData
        context["csrf"] = visitor.csrfToken ?? ""
        // Mustache cannot ask whether a list is empty without repeating its section per item
        for list in ["errors", "attachments"] { context["has" + list.prefix(1).uppercased() + list.dropFirst()] = (data[list] as? [Any])?.isEmpty == false }
        let html = library.render(context, withTemplate: name) ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A piece of a page (rows of a queue refreshed by the live script).
    func fragment(_ name: String, data: [String: Any], visitor: WebVisitor) -> Response {
        var context = data
        context["t"] = visitor.language.words
        context["csrf"] = visitor.csrfToken ?? ""
        let html = library.render(context, withTemplate: name) ?? ""
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}

/// Who is looking at a page: signed in or not, in which language.
struct WebVisitor: Sendable {
    var language: WebLanguage
    var principal: Principal?
    var name: String?
    var csrfToken: String?
    /// The path being shown, for the language switch to come back to.
    var path: String

    var isStaff: Bool { principal?.isStaff == true }
    var works: Bool { principal.map(AccessPolicy.mayUseInternalNotes) ?? false }
    var isPartner: Bool { principal?.roles.contains(.partner) == true }
    var isRequester: Bool { principal.map { !$0.isStaff && !$0.isOutsider } ?? false }
    var seesDashboards: Bool { principal.map { DashboardService.maySee($0) } ?? false }

    var templateData: [String: Any] {
        [
            "signedIn": principal != nil, "name": name ?? "", "staff": isStaff, "works": works, "partner": isPartner,
            "requester": isRequester, "dashboards": seesDashboards, "path": path,
            "otherLanguage": language == .fr ? "en" : "fr", "otherLanguageName": language == .fr ? "English" : "Français",
        ]
    }
}
