import GuichetDomain
@testable import GuichetStore
import GuichetTestSupport
import PostgresNIO
import Testing

@Suite("CI search over a fleet whose names share their first letters")
struct CISearchTests {
    /// 12,000 workstations `PC-K00001`… (more than a page gathers whole), one server `SRV-K00042`
    /// whose name holds the rare part of `PC-K00042`, and a printer named with a `%`; then the
    /// statistics and the common trigrams as the hourly job and autovacuum leave them.
    static func fleet(_ database: Database) async throws {
        try await database.client.query(
            """
            INSERT INTO cis (class, name, status)
            SELECT 'desktop', 'PC-K' || lpad(n::text, 5, '0'), 'production' FROM generate_series(1, 12000) n
            UNION ALL VALUES ('server', 'SRV-K00042', 'production'), ('printer', 'IMP-100%-K', 'production')
            """
        )
        try await database.client.query("ANALYZE cis")
        try await database.client.query("SELECT refresh_ci_search_trigrams()")
    }

    /// Runs `body` with the repository of a fresh database holding `fleet`.
    static func withFleet(_ body: @Sendable (CIRepository) async throws -> Void) async throws {
        try await TestDatabase.withFresh { database, _ in
            try await Self.fleet(database)
            try await database.client.withConnection { try await body(CIRepository(connection: $0, logger: TestDatabase.logger)) }
        }
    }

    /// Every page of `text`'s CIs in name order, following the previous page's last.
    static func pages(_ repository: CIRepository, _ text: String, limit: Int = 50, upTo count: Int = 3) async throws -> [[String]] {
        var pages: [[String]] = []
        var after: (name: String, id: Int64)?
        while pages.count < count {
            let page = try await repository.list(CIFilter(text: text), scope: .all, after: after, limit: limit)
            if page.isEmpty { break }
            pages.append(page.map(\.name))
            after = page.last.map { ($0.name, $0.id) }
        }
        return pages
    }

    @Test("a word is given to the trigram index by its rare part, and checked whole: PC-K00042 is found, SRV-K00042 is not")
    func rarePart() async throws {
        try await Self.withFleet { repository in
            let search = try await repository.search(CIFilter(text: "pc-k00042 100%"))
            let word = try #require(search.words.first)
            #expect(word.folded == "pcxk00042" && word.indexPatternIsPart, "\(word)")
            #expect(!word.indexPattern.contains("pcx"), "a trigram every CI shares is not looked up: \(word.indexPattern)")
            #expect(search.words.last?.indexPattern == #"%100\%%"#, "a word with another character than letters and digits is taken whole")
            #expect(try await Self.pages(repository, "pc-k00042") == [["PC-K00042"]])
            #expect(try await Self.pages(repository, "k00042") == [["PC-K00042", "SRV-K00042"]])
            #expect(try await Self.pages(repository, "100%") == [["IMP-100%-K"]], "a % is a character, not a wildcard")
        }
    }

    @Test("a large match set is walked in name order, a small one gathered and sorted; both page alike")
    func strategies() async throws {
        try await Self.withFleet { repository in
            #expect(try await repository.pageStrategy(try await repository.search(CIFilter(text: "PC-K")), scope: .all, after: nil) == .walk)
            #expect(try await repository.pageStrategy(try await repository.search(CIFilter(text: "K001")), scope: .all, after: nil) == .gather)
            let walked = try await Self.pages(repository, "PC-K")
            #expect(walked == (0..<3).map { page in (1...50).map { "PC-K" + String(format: "%05d", page * 50 + $0) } })
            let gathered = try await Self.pages(repository, "K001", limit: 40)
            #expect(gathered.flatMap { $0 } == (100...199).map { "PC-K" + String(format: "%05d", $0) })
            #expect(gathered.map(\.count) == [40, 40, 20])
        }
    }
}
