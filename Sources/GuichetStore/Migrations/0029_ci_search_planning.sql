-- How a CI search is planned (CIPageStrategy, CISearchWord).
--
-- A page of CIs is gathered from the search indexes when the planner expects few matches, else
-- walked in name order. With the default hundred histogram entries a rare word's estimate jumps
-- to 1 % of the fleet whenever one entry happens to hold it; three hundred keep the jump under what
-- a page gathers whole, for 0.1 ms of planning (a thousand cost 0.5 ms for each plan). A subnet's
-- estimate is read from the address index's histogram by bisection, which a thousand do not slow.
ALTER TABLE cis ALTER COLUMN search SET STATISTICS 300;
ALTER INDEX cis_address_idx ALTER COLUMN 1 SET STATISTICS 1000;

-- Trigrams of the search text that more than 5 % of the CIs share ("pcx" of every "PC-..."). The
-- trigram index reads the whole list of CIs of each trigram of a word, so "PC-A110-1" spent 10 ms
-- on "pcx" and "cxa" for 1 ms on the rest; a word is looked up by its longest run of rarer
-- trigrams instead, and checked whole on the rows found.
CREATE TABLE ci_search_common_trigrams (
    trigram text PRIMARY KEY,
    share real NOT NULL
);

-- Counts the trigrams of about 20,000 CIs drawn at random; returns how many are common.
CREATE FUNCTION refresh_ci_search_trigrams() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    percent double precision := least(100, 2000000.0 / greatest((SELECT count(*) FROM cis), 1));
    kept integer;
BEGIN
    DELETE FROM ci_search_common_trigrams;
    WITH sample AS MATERIALIZED (SELECT search FROM cis TABLESAMPLE BERNOULLI (percent)),
         size AS (SELECT count(*)::real AS n FROM sample)
    INSERT INTO ci_search_common_trigrams (trigram, share)
    SELECT trigram, count(*) / size.n FROM sample, unnest(show_trgm(sample.search)) trigram, size
    WHERE trigram ~ '^[a-z0-9]{3}$'
    GROUP BY trigram, size.n
    HAVING count(*) / size.n > 0.05;
    GET DIAGNOSTICS kept = ROW_COUNT;
    RETURN kept;
END
$$;

-- The LIKE pattern the trigram index is given for a folded search word: its longest run of at
-- least three characters whose trigrams are not common, when the word holds a common trigram and
-- is made of letters and digits only (the trigram index splits words elsewhere); else the word
-- itself. Either way the pattern matches every CI the word does.
CREATE FUNCTION ci_search_index_pattern(word text) RETURNS text LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
DECLARE
    run_start integer := 1;
    best_start integer := 1;
    best_length integer := 0;
    common boolean;
BEGIN
    IF word ~ '^[a-z0-9]+$' AND length(word) >= 4 THEN
        FOR position IN 1 .. length(word) - 2 LOOP
            common := EXISTS (SELECT 1 FROM ci_search_common_trigrams WHERE trigram = substr(word, position, 3));
            IF common THEN
                run_start := position + 1;
            ELSIF position + 3 - run_start > best_length THEN
                best_start := run_start;
                best_length := position + 3 - run_start;
            END IF;
        END LOOP;
        IF best_length >= 3 THEN
            RETURN '%' || substr(word, best_start, best_length) || '%';
        END IF;
    END IF;
    RETURN '%' || replace(replace(replace(word, '\', '\\'), '%', '\%'), '_', '\_') || '%';
END
$$;
