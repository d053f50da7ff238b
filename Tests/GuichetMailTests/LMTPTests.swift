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
        #expect(feed(&session, ".") == [.deliver(Array("Subject: x\r\n\r\n.point\r\nfin\r\n".utf8))])
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

    @Test("Python's LMTP client delivers through the real listener; each message reaches the handler once")
    func realClient() async throws {
        let inbox = Inbox()
        let server = LMTPServer(host: "127.0.0.1", port: 0, maxBytes: 1_048_576) { raw in
            inbox.messages.withLock { $0.append(raw) }
            return .accepted("Ticket I-000001 opened")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run { inbox.port.store($0, ordering: .relaxed) } }
            defer { group.cancelAll() }
            while inbox.port.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let script = """
                import smtplib, sys
                client = smtplib.LMTP('127.0.0.1', \(inbox.port.load(ordering: .relaxed)))
                refused = client.sendmail('claire@ecole.example', ['support@recia.example'], 'Subject: Bonjour\\r\\n\\r\\n.ligne\\r\\nCaf\\xc3\\xa9\\r\\n'.encode('latin-1'))
                client.quit()
                print('refused', refused)
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-c", script]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("refused {}"))
        }
        let messages = inbox.messages.withLock { $0 }
        #expect(messages.count == 1)
        #expect(String(decoding: messages.first ?? [], as: UTF8.self) == "Subject: Bonjour\r\n\r\n.ligne\r\nCafé\r\n")
    }
}

/// What the test listener received, and the port it listens on.
final class Inbox: Sendable {
    let messages = Mutex<[[UInt8]]>([])
    let port = Atomic<Int>(0)
}
