-- CI search by address prefix from a btree, the rest from trigrams.
--
-- An IPv4 address folds to digits and "x" alone, so its trigrams ("10x", "0x1", ...) are shared by
-- nearly every CI: a search for "10.11.17" read posting lists of a million CIs to keep a few
-- hundred. Addresses now leave the trigram text and are matched from their start
-- ("10.11.17" finds 10.11.17.5 and 10.11.170.2, as a subnet typed by hand) through an index on their
-- text; the MAC address stays in the trigram text, where it is rare.
ALTER TABLE cis DROP COLUMN search;
ALTER TABLE cis ADD COLUMN search text GENERATED ALWAYS AS (ci_search_fold(
    name || ' ' || coalesce(serial, '') || ' ' || coalesce(asset_tag, '') || ' ' || coalesce(mac::text, '') || ' ' || coalesce(room, '')
)) STORED;
CREATE INDEX cis_search_idx ON cis USING gin (search gin_trgm_ops);
CREATE INDEX cis_name_idx ON cis (name, id) INCLUDE (search, establishment_id, class, status);
CREATE INDEX cis_address_idx ON cis (host(ip) text_pattern_ops);
