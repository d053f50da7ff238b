import Foundation
import GuichetServices
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// A browser in the tests: keeps cookies, reads the CSRF token of the last page, posts forms
/// (url-encoded or multipart) as a browser does, through the real router.
struct WebBrowser {
    let api: APIHarness
    var cookies: [String: String] = [:]
    /// The `csrf` field of the last page that had a form.
    var csrf: String?

    init(_ api: APIHarness) { self.api = api }

    /// A browser signed in as the demo account of `role`.
    static func signedIn(_ api: APIHarness, as role: String) async throws -> WebBrowser {
        var browser = WebBrowser(api)
        try await browser.signIn(role)
        return browser
    }

    mutating func signIn(_ role: String) async throws {
        let account = api.template.account(role)
        _ = try await get("/login")
        let response = try await post("/login", ["login": account.login, "password": account.password])
        guard response.status == .seeOther else { throw HarnessError(response: response) }
    }

    @discardableResult
    mutating func get(_ path: String) async throws -> TestResponse {
        try await send(.get, path, body: nil, contentType: nil)
    }

    /// Posts a url-encoded form; the page's CSRF token is added unless `csrf` is false.
    @discardableResult
    mutating func post(_ path: String, _ fields: [String: String], csrf: Bool = true) async throws -> TestResponse {
        var all = fields
        if csrf, let token = self.csrf { all["csrf"] = token }
        let body = all.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(.post, path, body: ByteBuffer(string: body), contentType: "application/x-www-form-urlencoded")
    }

    /// Posts a multipart form with files, as a form with `enctype="multipart/form-data"`.
    @discardableResult
    mutating func postMultipart(_ path: String, _ fields: [String: String], files: [(field: String, name: String, type: String, bytes: [UInt8])])
        async throws -> TestResponse
    {
        let boundary = "----guichet-test-\(UUID().uuidString)"
        var all = fields
        if let token = csrf { all["csrf"] = token }
        var body: [UInt8] = []
        for (name, value) in all {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\n".utf8)
            body += Array("Content-Type: \(file.type)\r\n\r\n".utf8) + file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return try await send(.post, path, body: ByteBuffer(bytes: body), contentType: "multipart/form-data; boundary=\(boundary)")
    }

    private mutating func send(_ method: HTTPRequest.Method, _ path: String, body: ByteBuffer?, contentType: String?) async throws -> TestResponse {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let contentType { headers[.contentType] = contentType }
        let response = try await api.client.execute(uri: path, method: method, headers: headers, body: body)
        for header in response.headers[values: .setCookie] {
            guard let pair = header.split(separator: ";").first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            if value.isEmpty { cookies.removeValue(forKey: name) } else { cookies[name] = value }
        }
        if let token = Self.csrfField(in: response.text) { csrf = token }
        return response
    }

    static func csrfField(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)?.replacingOccurrences(of: "%20", with: "+") ?? ""
    }
}

extension TestResponse {
    var location: String? { headers[.location] }
}
