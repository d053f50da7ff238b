-- Supervision: monitoring notifications as received, the alerts they tell of, and each change of
-- an alert (its timeline), which makes a replayed notification change nothing.

-- A notification as a monitoring source sent it, kept whole; a worker reads it again to process it.
CREATE TABLE alert_notifications (
    id bigserial PRIMARY KEY,
    format text NOT NULL CHECK (format IN ('alertmanager', 'nagios', 'guichet')),
    body text NOT NULL,
    -- the account of the monitoring source that sent it
    account_id bigint NOT NULL REFERENCES people (id),
    received_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    -- how many alerts it told of, and how many changed something (the rest were replays)
    alerts integer,
    changed integer
);

-- One alert per source and key (Alertmanager's fingerprint, Nagios's host and service, a sender's
-- own key), in its last known state, with the incident it belongs to.
CREATE TABLE alerts (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES people (id),
    source text NOT NULL,
    key text NOT NULL,
    status text NOT NULL CHECK (status IN ('firing', 'resolved')),
    severity text NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
    summary text NOT NULL,
    details text,
    labels jsonb NOT NULL DEFAULT '{}',
    ci_id bigint REFERENCES cis (id) ON DELETE SET NULL,
    ticket_id bigint REFERENCES tickets (id),
    -- the current occurrence: when it started and, once resolved, ended
    starts_at timestamptz NOT NULL,
    ends_at timestamptz,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    notifications integer NOT NULL DEFAULT 1,
    UNIQUE (account_id, source, key)
);
CREATE INDEX alerts_ticket_idx ON alerts (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX alerts_firing_ci_idx ON alerts (ci_id) WHERE status = 'firing';

-- Each state an alert was told to be in, once per occurrence (Alertmanager's start, Nagios's
-- problem id): a notification that repeats a state of the same occurrence finds it here and changes
-- nothing. An acknowledgement is recorded once per occurrence too.
CREATE TABLE alert_events (
    id bigserial PRIMARY KEY,
    alert_id bigint NOT NULL REFERENCES alerts (id),
    notification_id bigint NOT NULL REFERENCES alert_notifications (id),
    status text NOT NULL CHECK (status IN ('firing', 'resolved', 'acknowledged')),
    occurrence text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (alert_id, status, occurrence)
);


-- A monitoring source's token sends alerts and nothing else.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check,
    ADD CONSTRAINT api_tokens_scopes_check CHECK (scopes <@ ARRAY['read', 'write', 'admin', 'inventory', 'alerts']::text[] AND cardinality(scopes) > 0);
