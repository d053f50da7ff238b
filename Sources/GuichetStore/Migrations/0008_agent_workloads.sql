-- Each agent's open tickets and when they last took one, kept up to date by a trigger on tickets.
-- Auto-assignment reads a team's workloads under the team's lock on every new ticket: counting
-- the agents' open tickets there would grow with the backlog and hold the lock ever longer.

CREATE TABLE agent_workloads (
    person_id bigint PRIMARY KEY REFERENCES people (id),
    open_tickets integer NOT NULL DEFAULT 0 CHECK (open_tickets >= 0),
    last_taken_at timestamptz
);

INSERT INTO agent_workloads (person_id, open_tickets, last_taken_at)
SELECT agent_id, count(*) FILTER (WHERE status NOT IN ('resolved', 'closed')), max(taken_at)
FROM tickets WHERE agent_id IS NOT NULL GROUP BY agent_id;

CREATE FUNCTION tickets_track_agent_workload() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_open_with bigint;
    is_open_with bigint;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status NOT IN ('resolved', 'closed') THEN
        was_open_with := OLD.agent_id;
    END IF;
    IF NEW.status NOT IN ('resolved', 'closed') THEN
        is_open_with := NEW.agent_id;
    END IF;
    IF was_open_with IS DISTINCT FROM is_open_with AND was_open_with IS NOT NULL THEN
        UPDATE agent_workloads SET open_tickets = open_tickets - 1 WHERE person_id = was_open_with;
    END IF;
    IF NEW.agent_id IS NOT NULL AND (
        (was_open_with IS DISTINCT FROM is_open_with AND is_open_with IS NOT NULL)
        OR (TG_OP = 'INSERT' AND NEW.taken_at IS NOT NULL)
        OR (TG_OP = 'UPDATE' AND NEW.taken_at IS DISTINCT FROM OLD.taken_at)
    ) THEN
        INSERT INTO agent_workloads AS w (person_id, open_tickets, last_taken_at)
        VALUES (NEW.agent_id, CASE WHEN was_open_with IS DISTINCT FROM is_open_with AND is_open_with IS NOT NULL THEN 1 ELSE 0 END, NEW.taken_at)
        ON CONFLICT (person_id) DO UPDATE SET
            open_tickets = w.open_tickets + EXCLUDED.open_tickets,
            last_taken_at = greatest(w.last_taken_at, EXCLUDED.last_taken_at);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_agent_workload AFTER INSERT OR UPDATE OF agent_id, status, taken_at ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_track_agent_workload();
