import Foundation
import GuichetMail

/// A real SMTP server for tests. `ops/test` starts `ops/smtp-catcher`, which keeps every message
/// as a .eml file, and sets `GUICHET_TEST_SMTP_URL` and `GUICHET_TEST_MAIL_DIR`. Tests share it:
/// each one sends from a sender address of its own and reads back only the messages from it.
public enum TestMail {
    public static func smtp() throws -> SMTPConfiguration {
        guard let text = ProcessInfo.processInfo.environment["GUICHET_TEST_SMTP_URL"] else {
            throw TestDatabase.Failure(description: "GUICHET_TEST_SMTP_URL is not set: run the tests with ops/test, which starts an SMTP server.")
        }
        return try SMTPConfiguration(url: text)
    }

    /// The test SMTP server that requires STARTTLS and AUTH, with the authority of its certificate.
    public static func smtpRequiringTLS() throws -> SMTPConfiguration {
        guard let text = ProcessInfo.processInfo.environment["GUICHET_TEST_SMTP_TLS_URL"] else {
            throw TestDatabase.Failure(description: "GUICHET_TEST_SMTP_TLS_URL is not set: run the tests with ops/test, which starts it.")
        }
        return try SMTPConfiguration(url: text)
    }

    /// A sender no other test uses.
    public static func uniqueSender() -> MailAddress {
        MailAddress("guichet@t\(UUID().uuidString.prefix(8).lowercased()).test.example", name: "Guichet")!
    }

    /// The raw messages sent from `sender`, oldest first.
    public static func messages(from sender: MailAddress) throws -> [String] {
        guard let directory = ProcessInfo.processInfo.environment["GUICHET_TEST_MAIL_DIR"] else {
            throw TestDatabase.Failure(description: "GUICHET_TEST_MAIL_DIR is not set: run the tests with ops/test.")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".eml") }.sorted()
        return names.compactMap { name -> String? in
            guard let text = try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8),
                text.hasPrefix("X-Envelope-From: \(sender.address)\r\n")
            else { return nil }
            return text
        }
    }

    /// Waits until `count` messages from `sender` arrived (or `timeout` passed) and returns them.
    public static func waitForMessages(from sender: MailAddress, count: Int, timeout: Duration = .seconds(20)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var found = try messages(from: sender)
        while found.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            found = try messages(from: sender)
        }
        return found
    }
}
