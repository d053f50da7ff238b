-- Faster CI search, and inventories that no longer rewrite every CI they list.
--
-- pg_trgm takes dots, colons, hyphens and slashes for word breaks, so "10.10.5" or "SW-B-01" were
-- searched by the trigrams of "10", "5", "sw", "b": thousands of rows to recheck. The search text
-- now writes those marks as "x" (the words typed are folded the same way), which keeps an address
-- or a name in one word. A covering index in name order answers the searches that match many CIs
-- from the index alone.
CREATE FUNCTION ci_search_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT translate(ci_fold($1), '.:-/', 'xxxx')
$$;
ALTER TABLE cis DROP COLUMN search;
ALTER TABLE cis ADD COLUMN search text GENERATED ALWAYS AS (ci_search_fold(
    name || ' ' || coalesce(serial, '') || ' ' || coalesce(asset_tag, '') || ' ' || coalesce(host(ip), '') || ' '
    || coalesce(mac::text, '') || ' ' || coalesce(room, '')
)) STORED;
CREATE INDEX cis_search_idx ON cis USING gin (search gin_trgm_ops);
DROP INDEX cis_name_idx;
CREATE INDEX cis_name_idx ON cis (name, id) INCLUDE (search, establishment_id, class, status);

-- When each inventory source last listed all its CIs: a full import records its time here once
-- instead of setting last_seen_at on each CI; a CI of the source that is not retired was seen then.
-- Delta imports, which list only some CIs, still set last_seen_at on those.
CREATE TABLE ci_sources (
    source text PRIMARY KEY CHECK (length(source) BETWEEN 1 AND 50),
    last_full_at timestamptz NOT NULL
);
