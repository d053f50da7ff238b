import GuichetMail
import Testing

@Suite("Multipart form data")
struct MultipartFormDataTests {
    let type = "multipart/form-data; boundary=XyZ"

    func body(_ parts: [String]) -> [UInt8] {
        Array((parts.map { "--XyZ\r\n" + $0 + "\r\n" }.joined() + "--XyZ--\r\n").utf8)
    }

    @Test("fields and files are read, a file's bytes exactly, CRLFs inside it included")
    func parts() throws {
        let raw = body([
            "Content-Disposition: form-data; name=\"title\"\r\n\r\nÉcran noir",
            "Content-Disposition: form-data; name=\"attachment\"; filename=\"log.txt\"\r\nContent-Type: text/plain\r\n\r\nline 1\r\nline 2\r\n",
            "Content-Disposition: form-data; name=\"attachment\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        ])
        let form = try MultipartFormData.parse(raw, contentType: type)
        #expect(form.value("title") == "Écran noir")
        let files = form.files("attachment")
        #expect(files.count == 1, "an empty file input is no file")
        #expect(files.first?.filename == "log.txt" && files.first?.contentType == "text/plain")
        #expect(files.first?.bytes == Array("line 1\r\nline 2\r\n".utf8))
    }

    @Test("a body without its boundary, or cut short, is refused rather than half read")
    func malformed() {
        #expect(throws: MultipartFormData.ParseError.noBoundary) { try MultipartFormData.parse([], contentType: "multipart/form-data") }
        let cut = Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end".utf8)
        #expect(throws: MultipartFormData.ParseError.malformed) { try MultipartFormData.parse(cut, contentType: type) }
        let many = body(Array(repeating: "Content-Disposition: form-data; name=\"a\"\r\n\r\nx", count: 60))
        #expect(throws: MultipartFormData.ParseError.tooManyParts(limit: 50)) { try MultipartFormData.parse(many, contentType: type) }
    }
}
