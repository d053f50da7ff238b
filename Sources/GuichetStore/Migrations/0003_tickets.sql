-- Tickets, their append-only history, comments, and the idempotency keys of API creates.

CREATE SEQUENCE ticket_number_incident;
CREATE SEQUENCE ticket_number_request;

CREATE TABLE tickets (
    id bigserial PRIMARY KEY,
    ref text NOT NULL UNIQUE,
    kind text NOT NULL CHECK (kind IN ('incident', 'request')),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    status text NOT NULL CHECK (status IN ('new', 'assigned', 'in_progress', 'pending', 'escalated', 'resolved', 'closed')),
    impact smallint NOT NULL CHECK (impact BETWEEN 1 AND 3),
    urgency smallint NOT NULL CHECK (urgency BETWEEN 1 AND 3),
    priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
    origin text NOT NULL CHECK (origin IN ('portal', 'email', 'phone', 'api', 'monitoring')),
    requester_id bigint NOT NULL REFERENCES people (id),
    establishment_id bigint NOT NULL REFERENCES organizations (id),
    service_id bigint REFERENCES services (id),
    team_id bigint REFERENCES teams (id),
    agent_id bigint REFERENCES people (id),
    ci_id bigint,
    pending_reason text,
    escalation_reason text,
    resolution_code text,
    solution text,
    resolution_mode text CHECK (resolution_mode IN ('remote', 'on_site')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    taken_at timestamptz,
    resolved_at timestamptz,
    closed_at timestamptz,
    -- the fields each state requires
    CHECK (status = 'new' OR team_id IS NOT NULL OR resolution_code IS NOT NULL),
    CHECK (status NOT IN ('in_progress', 'pending') OR agent_id IS NOT NULL),
    CHECK (status <> 'pending' OR pending_reason IS NOT NULL),
    CHECK (status <> 'escalated' OR escalation_reason IS NOT NULL),
    CHECK (status NOT IN ('resolved', 'closed') OR (resolution_code IS NOT NULL AND solution IS NOT NULL AND resolution_mode IS NOT NULL))
);
CREATE INDEX tickets_status_idx ON tickets (status, id DESC);
CREATE INDEX tickets_team_idx ON tickets (team_id, id DESC);
CREATE INDEX tickets_agent_open_idx ON tickets (agent_id) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_requester_idx ON tickets (requester_id, id DESC);
CREATE INDEX tickets_establishment_idx ON tickets (establishment_id, id DESC);

CREATE TABLE ticket_events (
    id bigserial PRIMARY KEY,
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- NULL when Guichet itself acted (auto-assignment, timers)
    actor_id bigint REFERENCES people (id),
    kind text NOT NULL,
    changes jsonb NOT NULL DEFAULT '{}',
    note text,
    internal boolean NOT NULL DEFAULT false
);
CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);

CREATE FUNCTION ticket_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ticket history is append-only';
END
$$;
CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION ticket_events_are_append_only();

CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    author_id bigint NOT NULL REFERENCES people (id),
    visibility text NOT NULL CHECK (visibility IN ('public', 'internal')),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    origin text NOT NULL CHECK (origin IN ('portal', 'email', 'phone', 'api', 'monitoring')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_ticket_idx ON comments (ticket_id, id);

CREATE TABLE idempotency_keys (
    person_id bigint NOT NULL REFERENCES people (id),
    key text NOT NULL,
    request_hash bytea NOT NULL,
    ticket_id bigint REFERENCES tickets (id),
    response jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, key)
);
