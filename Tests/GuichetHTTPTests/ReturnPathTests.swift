import Testing

@testable import GuichetHTTP

@Suite("Return paths after sign-in are Guichet's own")
struct ReturnPathTests {
    @Test("a path of Guichet comes back as it is", arguments: ["/", "/requests/new", "/tickets/I-000042?done=reply", "/console?queue=team&q=%C3%A9cran"])
    func accepted(_ path: String) {
        #expect(ReturnPath.parse(path) == path)
    }

    @Test(
        "anything a browser could read as another site, or that is not a path, is refused",
        arguments: [
            "/\t/evil.example", "/%09/evil.example", "//evil.example", "/\\evil.example", "/%5Cevil.example", "/%2F%2Fevil.example", "https://evil.example/",
            "evil.example", "/\r\nSet-Cookie:x", "/ /evil", "javascript:alert(1)", "/path#fragment", "", "/\u{0}",
            "/" + String(repeating: "a", count: 600),
        ]
    )
    func refused(_ path: String) {
        #expect(ReturnPath.parse(path) == nil)
    }
}
