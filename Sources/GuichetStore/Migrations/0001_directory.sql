-- Organisations, people, accounts and teams: who asks, who works, who watches.

CREATE TABLE organizations (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('provider', 'establishment', 'partner', 'contractor')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- UAI for establishments, a short mnemonic for the others
    code text NOT NULL UNIQUE,
    parent_id bigint REFERENCES organizations (id),
    establishment_type text,
    department_code text,
    city text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'establishment' OR (establishment_type IS NOT NULL AND department_code IS NOT NULL))
);

CREATE TABLE people (
    id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email text NOT NULL,
    phone text,
    locale text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_email_key ON people (lower(email));
CREATE INDEX people_organization_idx ON people (organization_id);

CREATE TABLE accounts (
    person_id bigint PRIMARY KEY REFERENCES people (id),
    login text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    roles text[] NOT NULL DEFAULT '{requester}',
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES people (id),
    -- SHA-256 of the token: the token itself is shown once and never stored
    token_hash bytea NOT NULL UNIQUE,
    label text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE TABLE teams (
    id bigserial PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations (id),
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('service_desk', 'level2', 'field', 'contractor')),
    -- the département a field team covers
    department_code text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_members (
    team_id bigint NOT NULL REFERENCES teams (id),
    person_id bigint NOT NULL REFERENCES people (id),
    role text NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'lead')),
    available boolean NOT NULL DEFAULT true,
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX team_members_person_idx ON team_members (person_id);
