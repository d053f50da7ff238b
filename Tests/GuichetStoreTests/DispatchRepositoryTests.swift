import Foundation
import GuichetStore
import GuichetTestSupport
import PostgresNIO
import Testing

@Suite("Dispatch repository")
struct DispatchRepositoryTests {
    /// One transaction that reserves an agent, reports whom, and commits when told to.
    struct Reservation {
        let reserved: AsyncStream<Int64?>
        let commit: AsyncStream<Void>.Continuation

        static func start(in group: inout ThrowingTaskGroup<Void, any Error>, database: Database, teamID: Int64, ranked: [Int64]) -> Reservation {
            let (reserved, reservedSink) = AsyncStream.makeStream(of: Int64?.self)
            let (commit, commitSource) = AsyncStream.makeStream(of: Void.self)
            group.addTask {
                try await database.transaction { connection in
                    reservedSink.yield(try await DispatchRepository(connection: connection, logger: TestDatabase.logger).reserve(teamID: teamID, ranked: ranked))
                    for await _ in commit { break }
                }
            }
            return Reservation(reserved: reserved, commit: commitSource)
        }

        func agent() async -> Int64?? {
            for await agent in reserved { return agent }
            return nil
        }
    }

    @Test("concurrent assignments to one team reserve different agents; when all are reserved, the next takes the best choice without waiting", .timeLimit(.minutes(3)))
    func concurrentReservations() async throws {
        try await TestDatabase.withFresh { database, _ in
            let rows = try await database.client.query(
                "SELECT team_id, array_agg(person_id ORDER BY person_id) FROM team_members GROUP BY team_id HAVING count(*) = 2 ORDER BY team_id LIMIT 1"
            )
            var team: (id: Int64, members: [Int64])?
            for try await (id, members) in rows.decode((Int64, [Int64]).self) { team = (id, members) }
            let (teamID, members) = try #require(team)

            try await withThrowingTaskGroup(of: Void.self) { group in
                let first = Reservation.start(in: &group, database: database, teamID: teamID, ranked: members)
                #expect(await first.agent() == members[0])
                let second = Reservation.start(in: &group, database: database, teamID: teamID, ranked: members)
                #expect(await second.agent() == members[1], "the best choice is being given a ticket: the next one is reserved")

                // both still reserved: the third is answered at once, not after a commit
                let third = Reservation.start(in: &group, database: database, teamID: teamID, ranked: members)
                #expect(await third.agent() == members[0])
                first.commit.yield()
                second.commit.yield()
                third.commit.yield()
                try await group.waitForAll()
            }
        }
    }

    @Test("nobody to reserve when no agent is available")
    func nobodyAvailable() async throws {
        try await TestDatabase.withFresh { database, _ in
            let agent = try await database.transaction { connection in
                try await DispatchRepository(connection: connection, logger: TestDatabase.logger).reserve(teamID: 1, ranked: [])
            }
            #expect(agent == nil)
        }
    }
}
