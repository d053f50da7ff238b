import Foundation
import Testing

@testable import GuichetMail

func bytes(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

@Suite("Reading incoming mail")
struct MIMEParserTests {
    @Test("a reply from a mail program: encoded subject and name, threading ids, quoted-printable French text beside HTML")
    func typicalReply() throws {
        let mail = try MIMEParser.parse(
            bytes([
                "From: =?iso-8859-1?Q?Claire_Fontaine?= <claire.fontaine@ac-orleans-tours.fr>",
                "To: support@recia.example",
                "Subject: Re: =?UTF-8?B?W0ktMDAwMTIzXSDDiWNyYW4gbm9pcg==?=",
                "Message-ID: <CAF123@mail.example>",
                "In-Reply-To: <ticket-I-000123.abc@recia.example>",
                "References: <ticket-I-000123@recia.example>",
                "\t<ticket-I-000123.abc@recia.example>",
                "MIME-Version: 1.0",
                "Content-Type: multipart/alternative; boundary=\"b1\"",
                "",
                "--b1",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                "L'=C3=A9cran reste noir apr=C3=A8s red=C3=A9marrage.",
                "",
                "Le lun. 29 mars 2027 =C3=A0 10:00, Guichet <support@recia.example> a =C3=A9crit :",
                "> Pouvez-vous red=C3=A9marrer ?",
                "--b1",
                "Content-Type: text/html; charset=utf-8",
                "",
                "<p>ignored</p>",
                "--b1--",
            ])
        )
        #expect(mail.subject == "Re: [I-000123] Écran noir")
        #expect(mail.from?.address == "claire.fontaine@ac-orleans-tours.fr")
        #expect(mail.from?.name == "Claire Fontaine")
        #expect(mail.messageID == "CAF123@mail.example")
        #expect(mail.threadIDs == ["ticket-I-000123.abc@recia.example", "ticket-I-000123.abc@recia.example", "ticket-I-000123@recia.example"])
        #expect(ReplyText.trimmed(mail.text) == "L'écran reste noir après redémarrage.")
        #expect(!mail.isAutomatic)
    }

    @Test("base64 bodies in Latin-1 and Windows-1252, attachments listed by name and size, HTML-only mail read as text")
    func encodingsAndAttachments() throws {
        let latin1 = Data([0x43, 0x61, 0x66, 0xE9, 0x20, 0x80]).base64EncodedString()  // "Café €" in windows-1252
        let mail = try MIMEParser.parse(
            bytes([
                "From: agent@college.example", "Subject: photo", "Content-Type: multipart/mixed; boundary=outer", "",
                "--outer", "Content-Type: text/plain; charset=windows-1252", "Content-Transfer-Encoding: base64", "", latin1,
                "--outer", "Content-Type: image/png", "Content-Disposition: attachment; filename=\"=?UTF-8?B?w6ljcmFuLnBuZw==?=\"",
                "Content-Transfer-Encoding: base64", "", Data(repeating: 7, count: 300).base64EncodedString(), "--outer--",
            ])
        )
        #expect(mail.text == "Café €")
        #expect(mail.attachments == [.init(filename: "écran.png", contentType: "image/png", size: 300)])
        let html = try MIMEParser.parse(
            bytes(["From: a@b.example", "Content-Type: text/html; charset=utf-8", "", "<p>Bonjour<br>le r&eacute;seau</p><script>x()</script>"])
        )
        #expect(html.text.hasPrefix("Bonjour\nle r"))
        #expect(!html.text.contains("x()"))
    }

    @Test("auto-replies, bounces and lists are recognised as automatic")
    func automatic() throws {
        for header in ["Auto-Submitted: auto-replied", "Precedence: bulk", "Return-Path: <>", "List-Id: <profs.lists.example>", "X-Autoreply: yes"] {
            #expect(try MIMEParser.parse(bytes(["From: a@b.example", header, "Subject: Absence", "", "Je suis absent"])).isAutomatic, "\(header)")
        }
        #expect(try MIMEParser.parse(bytes(["From: MAILER-DAEMON@mx.example", "", "undeliverable"])).isAutomatic)
        #expect(try !MIMEParser.parse(bytes(["From: a@b.example", "Auto-Submitted: no", "", "hi"])).isAutomatic)
    }

    @Test("a line break smuggled into an encoded subject never reaches the subject")
    func encodedHeaderInjection() throws {
        let sneaky = Data("Panne\r\nBcc: everyone@victim.example".utf8).base64EncodedString()
        let mail = try MIMEParser.parse(bytes(["From: a@b.example", "Subject: =?UTF-8?B?\(sneaky)?=", "", "x"]))
        #expect(!mail.subject.contains("\r") && !mail.subject.contains("\n"))
        #expect(mail.subject == "Panne Bcc: everyone@victim.example")
    }

    @Test("a malformed corpus is refused or read, never crashes nor hangs")
    func malformedCorpus() throws {
        // 5,000 parts: refused at the limit
        var many = ["From: a@b.example", "Content-Type: multipart/mixed; boundary=x", ""]
        for index in 0..<5_000 { many += ["--x", "Content-Type: text/plain", "", "part \(index)"] }
        #expect(throws: InboundMailError.tooManyParts(limit: 500)) { try MIMEParser.parse(bytes(many + ["--x--"])) }
        // an enormous header
        #expect(throws: InboundMailError.headerTooLarge) {
            try MIMEParser.parse(bytes(["From: a@b.example", "X-Big: " + String(repeating: "A", count: 300_000), "", "x"]))
        }
        // a boundary announced and never used, a part never closed, unknown and lying charsets, broken base64
        let broken = try MIMEParser.parse(
            bytes([
                "From: a@b.example", "Content-Type: multipart/mixed; boundary=never", "", "just text",
            ])
        )
        #expect(broken.text.isEmpty)
        let unclosed = try MIMEParser.parse(
            bytes(["From: a@b.example", "Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: text/plain; charset=klingon", "", "qapla\u{E9}"])
        )
        #expect(unclosed.text.hasPrefix("qapla"))
        let badBytes: [UInt8] = bytes(["From: a@b.example", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", ""]) + Array("!!!@@@".utf8)
        #expect(try MIMEParser.parse(badBytes).text.isEmpty)
        // nesting 200 deep stops at the depth limit
        var nested = ["From: a@b.example"]
        for depth in 0..<200 { nested += ["Content-Type: multipart/mixed; boundary=d\(depth)", "", "--d\(depth)"] }
        nested += ["Content-Type: text/plain", "", "deep"]
        _ = try MIMEParser.parse(bytes(nested))
        // too large
        #expect(throws: InboundMailError.tooLarge(limit: 10 * 1_048_576)) { try MIMEParser.parse([UInt8](repeating: 65, count: 10 * 1_048_576 + 1)) }
    }

    @Test("four thousand random and mutated messages are refused or read, never crash")
    func randomBytes() {
        var generator = SplitMix(seed: 20_261_129)
        let seed = bytes([
            "From: =?utf-8?q?A?= <a@b.example>", "Subject: =?UTF-8?B?w4k=?=", "Content-Type: multipart/mixed; boundary=z", "", "--z",
            "Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: quoted-printable", "", "caf=E9 =", "--z--",
        ])
        for round in 0..<4_000 {
            var input: [UInt8]
            if round % 2 == 0 {
                input = (0..<Int(generator.next() % 2_000)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            } else {
                input = seed
                for _ in 0..<Int(generator.next() % 20) {
                    input[Int(generator.next() % UInt64(input.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            _ = try? MIMEParser.parse(input)
        }
    }
}

/// A small reproducible generator for the random corpus.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
