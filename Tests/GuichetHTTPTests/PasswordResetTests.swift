import Foundation
import GuichetMail
import GuichetServices
import GuichetTestSupport
import HTTPTypes
import Testing

@Suite("Password reset")
struct PasswordResetTests {
    /// The reset token in the text of a mail (quoted-printable may fold the line: the MIME reader unfolds it).
    static func token(in raw: String) throws -> String {
        let message = try MIMEParser.parse(Array(raw.utf8))
        let text = message.text
        let line = try #require(text.split(whereSeparator: \.isNewline).first { $0.contains("reset-password?token=") })
        return String(line.split(separator: "=", maxSplits: 1)[1])
    }

    @Test("a reset link arrives by mail, sets a new password once, ends the sessions; unknown accounts get the same answer")
    func resetOnce() async throws {
        let sender = TestMail.uniqueSender()
        try await withAPI(worker: true, mailFrom: sender) { api async throws in
            let account = api.template.account("requester")
            let session = try SessionTests.session(try await SessionTests.signIn(api, "requester"))
            let known = try await api.call(.post, "/api/v1/password-reset", body: #"{"login":"\#(account.login)"}"#)
            let unknown = try await api.call(.post, "/api/v1/password-reset", body: #"{"login":"nobody@nowhere.example"}"#)
            #expect(known.status == .accepted && unknown.status == .accepted)
            #expect(known.text == unknown.text)

            let mails = try await TestMail.waitForMessages(from: sender, count: 1)
            let token = try Self.token(in: try #require(mails.first))
            let complete = #"{"token":"\#(token)","password":"a brand new passphrase"}"#
            #expect(try await api.call(.post, "/api/v1/password-reset/complete", body: complete).status == .noContent)
            #expect(try await api.call(.post, "/api/v1/password-reset/complete", body: complete).status == .unprocessableContent, "single use")
            #expect(try await api.call(.get, "/api/v1/session", headers: [.cookie: session.cookie]).status == .unauthorized, "sessions ended")
            #expect(try await SessionTests.signIn(api, "requester", password: "a brand new passphrase").status == .created)
            #expect(try await SessionTests.signIn(api, "requester").status == .unauthorized, "the old password is gone")
            #expect(try TestMail.messages(from: sender).count == 1, "nothing was sent for the unknown address")
        }
    }

    @Test("an expired link is refused, and a short password too")
    func expiredOrWeak() async throws {
        let sender = TestMail.uniqueSender()
        try await withAPI(worker: true, mailFrom: sender) { api async throws in
            _ = try await api.call(.post, "/api/v1/password-reset", body: #"{"login":"\#(api.template.account("agent").login)"}"#)
            let token = try Self.token(in: try #require(try await TestMail.waitForMessages(from: sender, count: 1).first))
            let weak = try await api.call(.post, "/api/v1/password-reset/complete", body: #"{"token":"\#(token)","password":"short"}"#)
            #expect(weak.status == .unprocessableContent)
            try await api.database.client.query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
            let late = try await api.call(.post, "/api/v1/password-reset/complete", body: #"{"token":"\#(token)","password":"a brand new passphrase"}"#)
            #expect(late.status == .unprocessableContent)
        }
    }
}
