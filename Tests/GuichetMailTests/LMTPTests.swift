import Foundation
import Synchronization
import Testing

@testable import GuichetMail

@Suite("LMTP listener")
struct LMTPTests {
    func feed(_ session: inout LMTPSession, _ line: String) -> [LMTPSession.Action] {
        session.receive(line: Array(line.utf8))
    }

    @Test("a conversation: one delivery per message, one reply per recipient, dot-stuffing undone")
    func conversation() {
        var session = LMTPSession(hostname: "guichet", maxBytes: 1_000)
        #expect(feed(&session, "DATA") == [.reply("503 5.5.1 RCPT first")])
        #expect(feed(&session, "LHLO mx.example").first.map { if case .reply(let text) = $0 { text.hasSuffix("250 SIZE 1000") } else { false } } == true)
        #expect(feed(&session, "MAIL FROM:<claire@ecole.example> SIZE=120") == [.reply("250 2.1.0 Sender OK")])
        #expect(feed(&session, "RCPT TO:<support@recia.example>") == [.reply("250 2.1.5 Recipient OK")])
        #expect(feed(&session, "RCPT TO:<n2@recia.example>") == [.reply("250 2.1.5 Recipient OK")])
        #expect(feed(&session, "DATA") == [.reply("354 Start mail input; end with <CRLF>.<CRLF>")])
        for line in ["Subject: x", "", "..point", "fin"] { #expect(feed(&session, line).isEmpty) }
        #expect(feed(&session, ".") == [.deliver(LMTPMessage(sender: "claire@ecole.example", bytes: Array("Subject: x\r\n\r\n.point\r\nfin\r\n".utf8)))])
        #expect(session.delivered(.refused("Message refused: no\r\nsender")) == Array(repeating: .reply("550 5.6.0 Message refused: no  sender"), count: 2))
        #expect(feed(&session, "QUIT") == [.reply("221 2.0.0 Bye"), .close])
    }

    @Test("a message over the size limit is refused whether announced or not")
    func sizeLimit() {
        var session = LMTPSession(hostname: "guichet", maxBytes: 20)
        _ = feed(&session, "LHLO x")
        #expect(feed(&session, "MAIL FROM:<a@b.example> SIZE=5000") == [.reply("552 5.3.4 Message larger than 20 bytes")])
        _ = feed(&session, "MAIL FROM:<a@b.example>")
        _ = feed(&session, "RCPT TO:<c@d.example>")
        _ = feed(&session, "DATA")
        #expect(feed(&session, String(repeating: "x", count: 50)).isEmpty)
        #expect(feed(&session, ".") == [.reply("552 5.3.4 Message larger than 20 bytes")])
        #expect(feed(&session, "MAIL FROM:<a@b.example>") == [.reply("250 2.1.0 Sender OK")], "the session goes on")
    }

    @Test("the null reverse-path of bounces and receipts reaches the handler as an empty sender")
    func nullSender() {
        var session = LMTPSession(hostname: "guichet", maxBytes: 1_000)
        for line in ["LHLO mx", "MAIL FROM:<> SIZE=10", "RCPT TO:<support@recia.example>", "DATA", "Subject: lu", ""] { _ = feed(&session, line) }
        #expect(feed(&session, ".") == [.deliver(LMTPMessage(sender: "", bytes: Array("Subject: lu\r\n\r\n".utf8)))])
    }

    @Test("a line too long is refused for good, in a command or in a message, and the session goes on")
    func tooLongLine() {
        var session = LMTPSession(hostname: "guichet", maxBytes: 10_000_000)
        _ = feed(&session, "LHLO mx")
        #expect(session.receiveTooLongLine() == [.reply("500 5.5.6 Line too long")])
        for line in ["MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>", "RCPT TO:<e@d.example>", "DATA", "Subject: long"] { _ = feed(&session, line) }
        #expect(session.receiveTooLongLine().isEmpty)
        #expect(feed(&session, "fin").isEmpty)
        #expect(feed(&session, ".") == Array(repeating: .reply("554 5.6.0 Message has a line longer than 65536 bytes"), count: 2))
        #expect(feed(&session, "MAIL FROM:<a@b.example>") == [.reply("250 2.1.0 Sender OK")])
    }

    @Test("over a real connection, a 200 KB subject and a 1 MB body line get a permanent refusal and the connection stays usable")
    func tooLongLinesOverTheWire() async throws {
        let messages = try await Self.withListener(maxBytes: 10_485_760) { port in
            let script = """
                import smtplib
                client = smtplib.LMTP('127.0.0.1', \(port))
                for name, message in [('subject', b'Subject: ' + b'x' * 200000 + b'\\r\\n\\r\\nbody\\r\\n'),
                                      ('body', b'Subject: ok\\r\\n\\r\\n' + b'y' * 1048576 + b'\\r\\n')]:
                    try:
                        client.sendmail('a@ecole.example', ['support@recia.example'], message)
                        print(name, 'accepted')
                    except smtplib.SMTPDataError as error:
                        print(name, 'refused', error.smtp_code)
                    except smtplib.SMTPRecipientsRefused as error:
                        print(name, 'refused', list(error.recipients.values())[0][0])
                client.sendmail('a@ecole.example', ['support@recia.example'], b'Subject: after\\r\\n\\r\\nstill here\\r\\n')
                print('after accepted')
                client.quit()
                """
            let (status, printed) = try await Self.python(script)
            #expect(status == 0, "\(printed)")
            #expect(printed.contains("subject refused 554") && printed.contains("body refused 554") && printed.contains("after accepted"), "\(printed)")
        }
        #expect(messages.count == 1 && String(decoding: messages.first ?? [], as: UTF8.self).contains("still here"))
    }

    @Test("Python's LMTP client delivers through the real listener; each message reaches the handler once")
    func realClient() async throws {
        let messages = try await Self.withListener(maxBytes: 1_048_576) { port in
            let script = """
                import smtplib, sys
                client = smtplib.LMTP('127.0.0.1', \(port))
                refused = client.sendmail('claire@ecole.example', ['support@recia.example'], 'Subject: Bonjour\\r\\n\\r\\n.ligne\\r\\nCaf\\xc3\\xa9\\r\\n'.encode('latin-1'))
                client.quit()
                print('refused', refused)
                """
            let (status, printed) = try await Self.python(script)
            #expect(status == 0)
            #expect(printed.contains("refused {}"))
        }
        #expect(messages.count == 1)
        #expect(String(decoding: messages.first ?? [], as: UTF8.self) == "Subject: Bonjour\r\n\r\n.ligne\r\nCafé\r\n")
    }
}

extension LMTPTests {
    /// Runs a real listener that accepts every message while `body` talks to its port; returns the
    /// messages it received.
    static func withListener(maxBytes: Int, _ body: @Sendable (Int) async throws -> Void) async throws -> [[UInt8]] {
        let inbox = Inbox()
        let server = LMTPServer(host: "127.0.0.1", port: 0, maxBytes: maxBytes) { message in
            inbox.messages.withLock { $0.append(message.bytes) }
            return .accepted("Ticket I-000001 opened")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run { inbox.port.store($0, ordering: .relaxed) } }
            defer { group.cancelAll() }
            while inbox.port.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            try await body(inbox.port.load(ordering: .relaxed))
        }
        return inbox.messages.withLock { $0 }
    }

    /// Runs a Python script and waits for it without holding a thread of the pool, which the
    /// listener it talks to needs.
    static func python(_ script: String) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return (status, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}

/// What the test listener received, and the port it listens on.
final class Inbox: Sendable {
    let messages = Mutex<[[UInt8]]>([])
    let port = Atomic<Int>(0)
}
