import Testing

@testable import GuichetDomain

@Suite("Priority matrix and refs")
struct PriorityTests {
    @Test(
        "impact x urgency gives the documented priority",
        arguments: [
            (1, 1, Priority.p1), (1, 2, .p2), (1, 3, .p3),
            (2, 1, .p2), (2, 2, .p3), (2, 3, .p4),
            (3, 1, .p3), (3, 2, .p4), (3, 3, .p4),
        ]
    )
    func matrix(impact: Int, urgency: Int, expected: Priority) {
        #expect(Priority(impact: Impact(rawValue: impact)!, urgency: Urgency(rawValue: urgency)!) == expected)
    }

    @Test("raising impact or urgency never lowers the priority")
    func monotonic() {
        for i in 1...3 {
            for u in 1...3 {
                let here = Priority(impact: Impact(rawValue: i)!, urgency: Urgency(rawValue: u)!)
                if i > 1 { #expect(Priority(impact: Impact(rawValue: i - 1)!, urgency: Urgency(rawValue: u)!) <= here) }
                if u > 1 { #expect(Priority(impact: Impact(rawValue: i)!, urgency: Urgency(rawValue: u - 1)!) <= here) }
            }
        }
    }

    @Test("impact and urgency outside 1...3 do not exist")
    func bounds() {
        #expect(Impact(rawValue: 0) == nil)
        #expect(Urgency(rawValue: 4) == nil)
    }

    @Test("refs are I- or R- and six digits at least, and parse back")
    func refs() {
        #expect(TicketRef(kind: .incident, number: 123).description == "I-000123")
        #expect(TicketRef(kind: .request, number: 1_234_567).description == "R-1234567")
        #expect(TicketRef("i-000042") == TicketRef(kind: .incident, number: 42))
        #expect(TicketRef("R-7")?.description == "R-000007")
        for bad in ["", "I-", "X-000001", "I-abc", "I-0", "I--1", "I-000001-2", "I- 1"] {
            #expect(TicketRef(bad) == nil, "\(bad)")
        }
    }

    @Test("priority labels parse in either case")
    func labels() {
        #expect(Priority(label: "p1") == .p1)
        #expect(Priority(label: "P5") == nil)
        #expect(Priority.p3.label == "P3")
    }
}
