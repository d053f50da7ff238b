import GuichetDomain
import PostgresNIO

/// A word of a CI search as the indexes take it.
struct CISearchWord: Sendable, Equatable {
    /// As the caller typed it (an IP address's start is matched on this).
    var typed: String
    /// Folded as the search text is: case, accents and separators aside (`ci_search_fold`).
    var folded: String
    /// The LIKE pattern the trigram index is given (`ci_search_index_pattern`): the folded word, or
    /// its longest run without trigrams that most CIs share.
    var indexPattern: String

    /// The index is given a part of the word only, so the whole word is checked on the rows found.
    var indexPatternIsPart: Bool { indexPattern != LikePattern.containing(folded) }
}

/// A list's filter with its words resolved for the indexes.
struct CISearch: Sendable {
    var filter: CIFilter
    var words: [CISearchWord]
}

extension CIRepository {
    /// The filter with its words folded and given their index patterns, in one query when it has
    /// words.
    func search(_ filter: CIFilter) async throws -> CISearch {
        let typed = filter.words
        guard !typed.isEmpty else { return CISearch(filter: filter, words: []) }
        let rows = try await connection.query(
            """
            SELECT w.word, w.folded, ci_search_index_pattern(w.folded)
            FROM (SELECT word, ci_search_fold(word) AS folded, n FROM unnest(\(typed)::text[]) WITH ORDINALITY AS t(word, n)) w
            ORDER BY w.n
            """,
            logger: logger
        )
        var words: [CISearchWord] = []
        for try await (word, folded, pattern) in rows.decode((String, String, String).self) {
            words.append(CISearchWord(typed: word, folded: folded, indexPattern: pattern))
        }
        return CISearch(filter: filter, words: words)
    }

    /// Recounts the trigrams that most CIs share (`refresh_ci_search_trigrams`), after an import or
    /// on the hour; returns how many there are.
    public func refreshSearchTrigrams() async throws -> Int {
        let rows = try await connection.query("SELECT refresh_ci_search_trigrams()", logger: logger)
        for try await count in rows.decode(Int32.self) { return Int(count) }
        return 0
    }
}
