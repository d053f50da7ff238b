-- Who sees what, derived from data: partners' perimeters and the teams a ticket was escalated to;
-- and the audit log of security events and directory changes.

-- A partner sees the establishments one of its rules covers: an explicit establishment, or every
-- establishment of a type and/or a département (a rule naming neither covers them all).
CREATE TABLE partner_perimeters (
    id bigserial PRIMARY KEY,
    partner_id bigint NOT NULL REFERENCES organizations (id),
    establishment_id bigint REFERENCES organizations (id),
    establishment_type text,
    department_code text,
    CHECK (establishment_id IS NULL OR (establishment_type IS NULL AND department_code IS NULL))
);
CREATE INDEX partner_perimeters_partner_idx ON partner_perimeters (partner_id);

CREATE VIEW partner_establishments AS
SELECT DISTINCT p.partner_id, o.id AS establishment_id
FROM partner_perimeters p JOIN organizations o ON o.kind = 'establishment'
WHERE o.id = p.establishment_id
    OR (p.establishment_id IS NULL
        AND (p.establishment_type IS NULL OR o.establishment_type = p.establishment_type)
        AND (p.department_code IS NULL OR o.department_code = p.department_code));

-- Every team a ticket was ever escalated to: a contractor's agents see those tickets, now and after.
CREATE TABLE ticket_escalations (
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    team_id bigint NOT NULL REFERENCES teams (id),
    escalated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ticket_id, team_id)
);
CREATE INDEX ticket_escalations_team_idx ON ticket_escalations (team_id);

INSERT INTO ticket_escalations (ticket_id, team_id)
SELECT id, team_id FROM tickets WHERE status = 'escalated' AND team_id IS NOT NULL;

CREATE FUNCTION tickets_record_escalation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_escalations (ticket_id, team_id) VALUES (NEW.id, NEW.team_id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_escalation AFTER INSERT OR UPDATE OF status, team_id ON tickets
    FOR EACH ROW WHEN (NEW.status = 'escalated' AND NEW.team_id IS NOT NULL) EXECUTE FUNCTION tickets_record_escalation();

-- The request that caused each ticket change, to follow it from the access log to the history.
ALTER TABLE ticket_events ADD COLUMN request_id text;

-- Security events and directory changes: who, when, what, before and after, from which request.
-- Ticket changes are in ticket_events; the audit API reads both.
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id bigint REFERENCES people (id),
    kind text NOT NULL,
    object_type text,
    object_id text,
    before jsonb,
    after jsonb,
    detail text,
    request_id text,
    client text
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_kind_idx ON audit_log (kind, id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- API tokens are scoped and may expire.
ALTER TABLE api_tokens
    ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,write}',
    ADD COLUMN expires_at timestamptz,
    ADD CONSTRAINT api_tokens_scopes_check CHECK (scopes <@ ARRAY['read', 'write', 'admin']::text[] AND cardinality(scopes) > 0);
UPDATE api_tokens t SET scopes = '{read,write,admin}'
FROM accounts a WHERE a.person_id = t.person_id AND 'admin' = ANY(a.roles);

-- Every ticket change is in the audit log too, with the request that made it.
CREATE FUNCTION ticket_events_to_audit_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (at, actor_id, kind, object_type, object_id, after, detail, request_id)
    VALUES (NEW.at, NEW.actor_id, 'ticket.' || NEW.kind, 'ticket', NEW.ticket_id::text, NEW.changes,
        CASE WHEN NEW.internal THEN NULL ELSE left(NEW.note, 500) END, NEW.request_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_events_audit AFTER INSERT ON ticket_events FOR EACH ROW EXECUTE FUNCTION ticket_events_to_audit_log();
