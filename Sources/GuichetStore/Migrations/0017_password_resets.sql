-- Password reset by e-mail: a single-use token, stored only as its SHA-256, that expires.
CREATE TABLE password_resets (
    id bigserial PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    person_id bigint NOT NULL REFERENCES people (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX password_resets_person_idx ON password_resets (person_id);
