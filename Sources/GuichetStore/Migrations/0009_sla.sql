-- SLA: business calendars, policies per service and priority, and each ticket's clocks.
-- Targets are minutes of a calendar's open time. The defaults below are the service centre's
-- commitments; administrators change them in these tables.

CREATE TABLE calendars (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    time_zone text NOT NULL,
    always_open boolean NOT NULL DEFAULT false,
    french_holidays boolean NOT NULL DEFAULT true
);

CREATE TABLE calendar_openings (
    calendar_id bigint NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_at smallint NOT NULL CHECK (opens_at BETWEEN 0 AND 1439),
    closes_at smallint NOT NULL CHECK (closes_at BETWEEN 1 AND 1440),
    CHECK (closes_at > opens_at)
);
CREATE INDEX calendar_openings_calendar_idx ON calendar_openings (calendar_id);

CREATE TABLE calendar_closures (
    calendar_id bigint NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    first_day date NOT NULL,
    last_day date NOT NULL,
    reason text NOT NULL,
    CHECK (last_day >= first_day)
);
CREATE INDEX calendar_closures_calendar_idx ON calendar_closures (calendar_id);

CREATE TABLE sla_policies (
    id bigserial PRIMARY KEY,
    -- NULL: the policy of every service without its own
    service_id bigint REFERENCES services (id),
    priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
    calendar_id bigint NOT NULL REFERENCES calendars (id),
    time_to_own_minutes integer NOT NULL CHECK (time_to_own_minutes > 0),
    time_to_resolve_minutes integer NOT NULL CHECK (time_to_resolve_minutes > 0)
);
CREATE UNIQUE INDEX sla_policies_scope_idx ON sla_policies (coalesce(service_id, 0), priority);

CREATE TABLE ticket_sla_clocks (
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    metric text NOT NULL CHECK (metric IN ('tto', 'ttr')),
    policy_id bigint NOT NULL REFERENCES sla_policies (id),
    calendar_id bigint NOT NULL REFERENCES calendars (id),
    target_seconds double precision NOT NULL,
    started_at timestamptz NOT NULL,
    consumed_seconds double precision NOT NULL DEFAULT 0,
    running_since timestamptz,
    stopped_at timestamptz,
    -- [{"from": ..., "to": ...}], the last one open while the clock is paused
    pauses jsonb NOT NULL DEFAULT '[]',
    warned_at timestamptz,
    breached_at timestamptz,
    PRIMARY KEY (ticket_id, metric)
);

ALTER TABLE tickets ADD COLUMN sla_breached boolean NOT NULL DEFAULT false;

WITH round_the_clock AS (
    INSERT INTO calendars (code, name, time_zone, always_open, french_holidays)
    VALUES ('24x7', '24 h sur 24, 7 jours sur 7', 'Europe/Paris', true, false) RETURNING id
), office AS (
    INSERT INTO calendars (code, name, time_zone) VALUES ('bureau', 'Jours ouvrés, 7 h 30 - 17 h 30', 'Europe/Paris') RETURNING id
), office_hours AS (
    INSERT INTO calendar_openings (calendar_id, weekday, opens_at, closes_at)
    SELECT office.id, day, 450, 1050 FROM office, generate_series(1, 5) AS day
)
INSERT INTO sla_policies (service_id, priority, calendar_id, time_to_own_minutes, time_to_resolve_minutes)
SELECT NULL::bigint, 1, round_the_clock.id, 15, 240 FROM round_the_clock
UNION ALL SELECT NULL, 2, office.id, 60, 600 FROM office
UNION ALL SELECT NULL, 3, office.id, 240, 1800 FROM office
UNION ALL SELECT NULL, 4, office.id, 600, 6000 FROM office;
