import Foundation
import Testing

@testable import GuichetDomain

@Suite("SLA clocks")
struct SLAClockTests {
    let opened = parisTime("2027-03-26", 16)
    let p3 = SLATargets(timeToOwn: 4 * 3600, timeToResolve: 30 * 3600)

    func clock(_ metric: SLAMetric, _ targets: SLATargets) -> SLAClock {
        SLARules.clocks(for: targets, openedAt: opened).first { $0.metric == metric }!
    }

    @Test("a P1 on the round-the-clock calendar is due 15 minutes and 4 hours after it was opened, holidays or not")
    func p1() {
        let p1 = SLATargets(timeToOwn: 15 * 60, timeToResolve: 4 * 3600)
        #expect(clock(.timeToOwn, p1).due(on: roundTheClock) == parisTime("2027-03-26", 16, 15))
        #expect(clock(.timeToResolve, p1).due(on: roundTheClock) == parisTime("2027-03-26", 20))
    }

    @Test("a P3 opened the same Friday 16:00 on office hours: owned by Tuesday 10:00, resolved by Friday 14:00 after Easter")
    func p3OverEaster() {
        #expect(clock(.timeToOwn, p3).due(on: officeHours) == parisTime("2027-03-30", 10))
        // 30 open hours: 1.5 on Friday, none on the weekend and Easter Monday, 10 on Tuesday, 10 on Wednesday, 8.5 on Thursday
        #expect(clock(.timeToResolve, p3).due(on: officeHours) == parisTime("2027-04-01", 16))
        #expect(clock(.timeToOwn, p3).deadline(at: SLAClock.warningFraction, on: officeHours) == parisTime("2027-03-30", 9))
    }

    @Test("pending for two open hours moves the resolution deadline by exactly two open hours; time to own is not paused")
    func pendingPauses() {
        var ttr = clock(.timeToResolve, p3)
        var tto = clock(.timeToOwn, p3)
        let pended = parisTime("2027-03-30", 9)
        #expect(SLARules.apply(from: .inProgress, to: .pending, at: pended, to: &ttr, on: officeHours))
        #expect(!SLARules.apply(from: .inProgress, to: .pending, at: pended, to: &tto, on: officeHours))
        #expect(ttr.state(at: pended, on: officeHours) == .paused)
        #expect(ttr.elapsed(at: pended.addingTimeInterval(7200), on: officeHours) == 1.5 * 3600 + 1.5 * 3600)
        SLARules.apply(from: .pending, to: .inProgress, at: parisTime("2027-03-30", 11), to: &ttr, on: officeHours)
        #expect(ttr.due(on: officeHours) == parisTime("2027-04-02", 8))
        #expect(ttr.pauses == [SLAClock.Pause(from: pended, to: parisTime("2027-03-30", 11))])
    }

    @Test("taking the ticket stops time to own; resolving stops time to resolve, reopening restarts it from what it had counted")
    func stopsAndRestarts() {
        var tto = clock(.timeToOwn, p3)
        var ttr = clock(.timeToResolve, p3)
        let taken = parisTime("2027-03-30", 8)
        SLARules.apply(from: .assigned, to: .inProgress, at: taken, to: &tto, on: officeHours)
        #expect(tto.state(at: taken, on: officeHours) == .met)
        #expect(tto.elapsed(at: parisTime("2027-04-30", 8), on: officeHours) == 2 * 3600, "a stopped clock does not move")
        SLARules.apply(from: .inProgress, to: .resolved, at: taken, to: &ttr, on: officeHours)
        #expect(ttr.state(at: taken, on: officeHours) == .met)
        #expect(ttr.due(on: officeHours) == nil)
        let reopened = parisTime("2027-03-31", 8)
        SLARules.apply(from: .resolved, to: .inProgress, at: reopened, to: &ttr, on: officeHours)
        #expect(ttr.isRunning)
        #expect(ttr.elapsed(at: parisTime("2027-03-31", 9), on: officeHours) == 3 * 3600)
    }

    @Test("a clock past its target is breached while it runs and missed once stopped")
    func breachedThenMissed() {
        var tto = clock(.timeToOwn, p3)
        let late = parisTime("2027-03-30", 11)
        #expect(tto.state(at: late, on: officeHours) == .breached)
        #expect(tto.remaining(at: late, on: officeHours) == -3600)
        tto.stop(at: late, on: officeHours)
        #expect(tto.state(at: late, on: officeHours) == .missed)
    }

    @Test("the timeline explains every stretch of the clock: open hours counted, nights, weekend, holiday and pause not")
    func timeline() {
        var ttr = clock(.timeToResolve, p3)
        ttr.pause(at: parisTime("2027-03-30", 9), on: officeHours)
        ttr.resume(at: parisTime("2027-03-30", 11))
        let now = parisTime("2027-03-30", 12)
        let segments = SLATimeline.explain(ttr, on: officeHours, until: now)
        #expect(segments.map(\.reason) == ["open", "outside opening hours", "public holiday: Lundi de Pâques", "outside opening hours", "open", "paused: ticket pending", "open"])
        #expect(segments.first?.from == opened)
        #expect(segments.last?.to == now)
        let counted = segments.filter(\.counted).reduce(0) { $0 + $1.to.timeIntervalSince($1.from) }
        #expect(counted == ttr.elapsed(at: now, on: officeHours))
    }
}
