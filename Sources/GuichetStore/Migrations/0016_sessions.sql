-- Sign-in: sessions any API node can serve, and login throttling that concurrent attempts
-- cannot race.

-- A session is known by the SHA-256 of its cookie's 128-bit random token; the token itself is
-- only in the browser. It ends when idle too long, at its absolute expiry, at logout, or when the
-- account is disabled (all of a person's sessions at once).
CREATE TABLE sessions (
    id bigserial PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    person_id bigint NOT NULL REFERENCES people (id),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    client text
);
CREATE INDEX sessions_person_idx ON sessions (person_id);

-- Attempts to sign in per key ("login:<login>" or "address:<ip>") in the current window. An
-- attempt is counted before the password is checked, in one statement that locks the row, so that
-- twenty concurrent attempts get twenty different counts and only the allowed number go through.
CREATE TABLE login_throttle (
    key text PRIMARY KEY,
    attempts integer NOT NULL,
    window_started_at timestamptz NOT NULL
);

CREATE FUNCTION accounts_disabled_end_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sessions WHERE person_id = NEW.person_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER accounts_end_sessions AFTER UPDATE OF disabled, password_hash ON accounts
    FOR EACH ROW WHEN (NEW.disabled OR NEW.password_hash IS DISTINCT FROM OLD.password_hash)
    EXECUTE FUNCTION accounts_disabled_end_sessions();
