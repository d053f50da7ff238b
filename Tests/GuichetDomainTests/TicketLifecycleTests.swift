import Testing

@testable import GuichetDomain

@Suite("Ticket lifecycle")
struct TicketLifecycleTests {
    static let resolution = Resolution(code: "fixed", solution: "Replaced the cable.", mode: .onSite)

    static func sample(_ name: TicketActionName) -> TicketAction {
        switch name {
        case .assign: .assign(teamID: 1)
        case .take: .take(agentID: 2)
        case .pend: .pend(reason: "Waiting for the school to open the room.")
        case .resume: .resume
        case .escalate: .escalate(teamID: 3, reason: "Needs the network team.")
        case .resolve: .resolve(resolution)
        case .close: .close
        case .reopen: .reopen(reason: "It broke again.")
        }
    }

    /// The transition table of DESIGN.md, written out independently of the implementation.
    static let expected: [TicketActionName: [TicketStatus: TicketStatus]] = [
        .assign: [.new: .assigned, .assigned: .assigned, .inProgress: .assigned, .escalated: .assigned],
        .take: [.new: .inProgress, .assigned: .inProgress, .escalated: .inProgress],
        .pend: [.inProgress: .pending],
        .resume: [.pending: .inProgress],
        .escalate: [.assigned: .escalated, .inProgress: .escalated, .pending: .escalated],
        .resolve: [.inProgress: .resolved, .pending: .resolved, .escalated: .resolved],
        .close: [.resolved: .closed],
        .reopen: [.resolved: .inProgress],
    ]

    @Test("every action is allowed exactly from its source states and leads to its target", arguments: TicketActionName.allCases)
    func transitionTable(action: TicketActionName) throws {
        for status in TicketStatus.allCases {
            if let target = Self.expected[action]?[status] {
                #expect(try TicketLifecycle.transition(from: status, by: Self.sample(action)) == target, "\(action) from \(status)")
            } else {
                #expect(throws: TicketRuleError.invalidTransition(action: action, from: status)) {
                    try TicketLifecycle.transition(from: status, by: Self.sample(action))
                }
            }
        }
    }

    @Test("a closed ticket accepts no action at all")
    func closedIsFinal() {
        #expect(TicketLifecycle.availableActions(from: .closed).isEmpty)
    }

    @Test("an out-of-perimeter request can be answered before anyone takes it")
    func outOfPerimeter() throws {
        let answer = TicketAction.resolve(Resolution(code: Resolution.outOfPerimeterCode, solution: "Ask the Région.", mode: .remote))
        #expect(try TicketLifecycle.transition(from: .new, by: answer) == .resolved)
        #expect(try TicketLifecycle.transition(from: .assigned, by: answer) == .resolved)
        #expect(throws: TicketRuleError.self) { try TicketLifecycle.transition(from: .new, by: Self.sample(.resolve)) }
    }

    @Test("a reopened ticket without an agent goes back to its team, or to dispatch")
    func reopenWithoutAgent() throws {
        let reopen = Self.sample(.reopen)
        #expect(try TicketLifecycle.transition(from: .resolved, by: reopen, hasTeam: true, hasAgent: false) == .assigned)
        #expect(try TicketLifecycle.transition(from: .resolved, by: reopen, hasTeam: false, hasAgent: false) == .new)
    }

    @Test("actions missing their required text are refused with the field's name")
    func requiredFields() {
        #expect(throws: TicketRuleError.missingField("reason")) { try TicketLifecycle.transition(from: .inProgress, by: .pend(reason: "  ")) }
        #expect(throws: TicketRuleError.missingField("solution")) {
            try TicketLifecycle.transition(from: .inProgress, by: .resolve(Resolution(code: "fixed", solution: "", mode: .remote)))
        }
        #expect(throws: TicketRuleError.fieldTooLong("reason", max: 2_000)) {
            try TicketLifecycle.transition(from: .resolved, by: .reopen(reason: String(repeating: "x", count: 2_001)))
        }
    }

    @Test("the refusal message names the state and the possible actions")
    func message() {
        let message = TicketRuleError.invalidTransition(action: .close, from: .inProgress).message
        #expect(message.contains("in_progress"))
        #expect(message.contains("resolve"))
    }
}
