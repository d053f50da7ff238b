import Testing

@testable import GuichetDomain

@Suite("Dispatch and assignment rules")
struct DispatchTests {
    let teams = [
        TeamProfile(id: 1, kind: .serviceDesk, departmentCode: nil),
        TeamProfile(id: 2, kind: .level2, departmentCode: nil),
        TeamProfile(id: 18, kind: .field, departmentCode: "18"),
        TeamProfile(id: 45, kind: .field, departmentCode: "45"),
    ]
    let rules = [
        RoutingRule(position: 20, serviceFamily: "network", ticketKind: nil, target: .team(2)),
        RoutingRule(position: 10, serviceFamily: "workstation", ticketKind: nil, target: .departmentTeam(.field)),
        RoutingRule(position: 30, serviceFamily: nil, ticketKind: .request, target: .team(99)),
    ]

    @Test("hardware goes to the field team of the establishment's département")
    func fieldTeamByDepartment() {
        let facts = DispatchFacts(kind: .incident, serviceFamily: "workstation", departmentCode: "45")
        #expect(Dispatcher.team(for: facts, rules: rules, teams: teams, fallback: 1) == 45)
    }

    @Test("a département without a field team falls through to the next rule, then to the service desk")
    func noLocalTeam() {
        let facts = DispatchFacts(kind: .incident, serviceFamily: "workstation", departmentCode: "36")
        #expect(Dispatcher.team(for: facts, rules: rules, teams: teams, fallback: 1) == 1)
    }

    @Test("a rule naming a team that no longer exists is skipped")
    func missingTeam() {
        let facts = DispatchFacts(kind: .request, serviceFamily: "software", departmentCode: "18")
        #expect(Dispatcher.team(for: facts, rules: rules, teams: teams, fallback: 1) == 1)
    }

    @Test("rules are tried by position, not by insertion order")
    func order() {
        let both = [
            RoutingRule(position: 2, serviceFamily: "network", ticketKind: nil, target: .team(2)),
            RoutingRule(position: 1, serviceFamily: "network", ticketKind: .incident, target: .team(1)),
        ]
        #expect(Dispatcher.team(for: .init(kind: .incident, serviceFamily: "network", departmentCode: nil), rules: both, teams: teams, fallback: 18) == 1)
        #expect(Dispatcher.team(for: .init(kind: .request, serviceFamily: "network", departmentCode: nil), rules: both, teams: teams, fallback: 18) == 2)
    }

    @Test("an incident naming a workstation goes to the field team where the workstation is, not where the ticket was opened")
    func byEquipmentLocation() {
        let equipment = [
            RoutingRule(position: 1, serviceFamily: nil, ticketKind: .incident, ciFamily: .workstation, target: .departmentTeam(.field)),
            RoutingRule(position: 2, serviceFamily: nil, ticketKind: nil, ciClass: .coreSwitch, target: .team(2)),
        ]
        let pc = DispatchFacts.CI(ciClass: .laptop, departmentCode: "18")
        let opened = DispatchFacts(kind: .incident, serviceFamily: "software", departmentCode: "45", cis: [pc])
        #expect(Dispatcher.team(for: opened, rules: equipment, teams: teams, fallback: 1) == 18, "the laptop is in the Cher")
        let request = DispatchFacts(kind: .request, serviceFamily: "software", departmentCode: "45", cis: [pc])
        #expect(Dispatcher.team(for: request, rules: equipment, teams: teams, fallback: 1) == 1, "a request is no hardware failure")
        let central = DispatchFacts(kind: .incident, serviceFamily: nil, departmentCode: "45", cis: [.init(ciClass: .desktop, departmentCode: nil)])
        #expect(Dispatcher.team(for: central, rules: equipment, teams: teams, fallback: 1) == 45, "equipment without a place: the ticket's")
        let core = DispatchFacts(kind: .request, serviceFamily: nil, departmentCode: "45", cis: [pc, .init(ciClass: .coreSwitch, departmentCode: "45")])
        #expect(Dispatcher.team(for: core, rules: equipment, teams: teams, fallback: 1) == 2, "any CI named may match, by class")
        #expect(Dispatcher.team(for: .init(kind: .incident, serviceFamily: nil, departmentCode: "18"), rules: equipment, teams: teams, fallback: 1) == 1)
    }

    @Test("a rule on a location applies only to equipment, or tickets, of that département")
    func byDepartment() {
        let loiret = [RoutingRule(position: 1, serviceFamily: nil, ticketKind: nil, ciFamily: .network, departmentCode: "45", target: .team(2))]
        let here = DispatchFacts(kind: .incident, serviceFamily: nil, departmentCode: "18", cis: [.init(ciClass: .router, departmentCode: "45")])
        let there = DispatchFacts(kind: .incident, serviceFamily: nil, departmentCode: "45", cis: [.init(ciClass: .router, departmentCode: "18")])
        #expect(Dispatcher.team(for: here, rules: loiret, teams: teams, fallback: 1) == 2)
        #expect(Dispatcher.team(for: there, rules: loiret, teams: teams, fallback: 1) == 1, "the router's place counts, not the ticket's")
        let anyTicket = [RoutingRule(position: 1, serviceFamily: nil, ticketKind: nil, departmentCode: "45", target: .team(2))]
        #expect(Dispatcher.team(for: there, rules: anyTicket, teams: teams, fallback: 1) == 2, "without equipment conditions: the ticket's place")
    }

    @Test("available agents rank by fewest open tickets, then who waited longest, then the lowest id")
    func ranking() {
        #expect(
            AgentPicker.ranked([
                AgentLoad(personID: 1, available: true, openTickets: 3, lastAssignedAt: nil),
                AgentLoad(personID: 2, available: false, openTickets: 0, lastAssignedAt: nil),
                AgentLoad(personID: 3, available: true, openTickets: 1, lastAssignedAt: 500),
                AgentLoad(personID: 4, available: true, openTickets: 1, lastAssignedAt: 100),
            ]) == [4, 3, 1]
        )
        #expect(
            AgentPicker.ranked([
                AgentLoad(personID: 9, available: true, openTickets: 0, lastAssignedAt: nil),
                AgentLoad(personID: 7, available: true, openTickets: 0, lastAssignedAt: nil),
            ]) == [7, 9]
        )
        #expect(AgentPicker.ranked([AgentLoad(personID: 1, available: false, openTickets: 0, lastAssignedAt: nil)]).isEmpty)
    }

    @Test("each role's scope: requesters their own, correspondents their establishment's, partners their perimeter, contractors their escalations, staff all")
    func scopes() {
        let requester = Principal(personID: 5, organizationID: 1, roles: [.requester])
        let correspondent = Principal(personID: 7, organizationID: 1, roles: [.requester, .correspondent])
        let agent = Principal(personID: 6, organizationID: 2, roles: [.agent])
        let partner = Principal(personID: 8, organizationID: 3, roles: [.partner, .agent])
        let contractor = Principal(personID: 9, organizationID: 4, roles: [.contractor, .agent, .admin])
        #expect(AccessPolicy.ticketScope(of: requester) == .requester(personID: 5))
        #expect(AccessPolicy.ticketScope(of: correspondent) == .establishment(personID: 7, establishmentID: 1))
        #expect(AccessPolicy.ticketScope(of: agent) == .all)
        #expect(AccessPolicy.ticketScope(of: partner) == .partner(organizationID: 3), "a partner is never staff, whatever else it holds")
        #expect(AccessPolicy.ticketScope(of: contractor) == .contractor(personID: 9))
        #expect(!contractor.isStaff && !contractor.isAdmin && !AccessPolicy.mayAdminister(contractor))
        #expect(!AccessPolicy.mayPerform(.assign, principal: requester))
        #expect(AccessPolicy.mayPerform(.reopen, principal: requester))
        #expect(!AccessPolicy.mayUseInternalNotes(requester))
        #expect(TicketActionName.allCases.allSatisfy { !AccessPolicy.mayPerform($0, principal: partner) })
        #expect(AccessPolicy.mayPerform(.take, principal: contractor) && !AccessPolicy.mayPerform(.escalate, principal: contractor))
        #expect(AccessPolicy.mayUseInternalNotes(contractor) && !AccessPolicy.mayUseInternalNotes(partner))
    }
}
