-- Refused API tokens are counted per client address and hour instead of written one audit row
-- each: the first refusal of an hour is audited as before, the rest are counted here and summed
-- up in one audit row once the hour is over (by the periodic purge), so that a flood of bad
-- tokens cannot fill the audit log.
CREATE TABLE refused_token_counts (
    client text NOT NULL,
    window_start timestamptz NOT NULL,
    refusals integer NOT NULL DEFAULT 1,
    last_request text,
    PRIMARY KEY (client, window_start)
);
