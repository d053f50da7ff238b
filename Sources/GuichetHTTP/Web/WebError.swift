import GuichetServices
import Hummingbird
import Logging
import NIOHTTP1

/// Why a web page cannot be shown; `WebErrorMiddleware` turns each into a page or a redirect.
enum WebError: Error {
    /// The page needs a signed-in visitor: back to the sign-in page, then here.
    case signInRequired(next: String)
    /// A form post without the right CSRF token.
    case forbiddenForm
    /// The visitor is signed in but this page is not for them.
    case notForYou
    /// A form larger than `WebForm.maxBytes`.
    case formTooLarge
    /// A form field holding a control character (`TextInput`).
    case controlCharacter(field: String)
}

/// Shows failures of web pages as pages in the visitor's language: the sign-in page when signed
/// out, a plain "not found" for what does not exist or is outside the visitor's perimeter (the two
/// are not told apart), and an apology without details for anything unexpected, which is logged.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    let renderer: WebRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as WebError {
            return page(for: error, request: request, context: context)
        } catch let error as ServiceError {
            return page(for: error, request: request, context: context)
        } catch let error as HTTPParserError {
            throw error
        } catch let error as HTTPError where error.status.code < 500 {
            return message(request, context: context, status: error.status, heading: "error_title", text: error.body ?? "")
        } catch {
            context.logger.error("web page failed", metadata: ["error": "\(String(reflecting: error))"])
            return message(request, context: context, status: .internalServerError, heading: "error_title", text: "error_unexpected")
        }
    }

    /// Also what `InputGuardMiddleware`, which runs before this middleware, answers a web page.
    func page(for error: WebError, request: Request, context: Context) -> Response {
        switch error {
        case .signInRequired(let next):
            let target = next == "/" ? "/login" : "/login?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            return Response(status: .seeOther, headers: [.location: target])
        case .forbiddenForm:
            return message(request, context: context, status: .forbidden, heading: "error_title", text: "error_form_expired")
        case .notForYou:
            return message(request, context: context, status: .forbidden, heading: "error_title", text: "error_not_for_you")
        case .formTooLarge:
            return message(request, context: context, status: .contentTooLarge, heading: "error_title", text: "error_form_too_large")
        case .controlCharacter(let field):
            return message(request, context: context, status: .badRequest, heading: "error_title", text: "error_control_character", field: field)
        }
    }

    /// The labels of form fields and search boxes, as their forms show them.
    private static let fieldLabels = [
        "login": "login", "password": "password", "title": "title_field", "description": "description", "equipment": "equipment",
        "body": "your_reply", "reason": "reason", "solution": "solution", "caller": "caller", "q": "search",
    ]

    private func page(for error: ServiceError, request: Request, context: Context) -> Response {
        switch error {
        case .notFound:
            return message(request, context: context, status: .notFound, heading: "not_found_title", text: "not_found_text")
        case .forbidden(let why):
            return message(request, context: context, status: .forbidden, heading: "error_title", text: why)
        default:
            let visitor = context.visitor ?? WebVisitor(language: WebLanguage.of(request, personLocale: nil), path: request.uri.path)
            return message(request, context: context, status: .badRequest, heading: "error_title", text: WebFormat.describe(error, in: visitor.language))
        }
    }

    /// `text` is a key of the words when there is one, else shown as it is; `field` fills its `{field}`.
    private func message(
        _ request: Request, context: Context, status: HTTPResponse.Status, heading: String, text: String, field: String = ""
    ) -> Response {
        let visitor = context.visitor ?? WebVisitor(language: WebLanguage.of(request, personLocale: nil), path: request.uri.path)
        let words = visitor.language
        let message = words.word(text).replacingOccurrences(of: "{field}", with: Self.fieldLabels[field].map(words.word) ?? field)
        return renderer.page(
            "message", title: words.word(heading),
            data: ["heading": words.word(heading), "message": message, "link": "/", "linkText": words.word("back_home")],
            visitor: visitor, status: status
        )
    }
}
