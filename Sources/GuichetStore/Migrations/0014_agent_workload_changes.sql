-- Agents' workloads without a hot row: the trigger on tickets used to update the agent's row of
-- agent_workloads, so two transactions giving tickets to one agent at once waited for each other
-- until commit. It now appends the change to agent_workload_changes, which nobody updates; a
-- workload is its folded row plus the changes not folded yet, and a periodic job folds them.

CREATE TABLE agent_workload_changes (
    id bigserial PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES people (id),
    open_delta integer NOT NULL,
    taken_at timestamptz
);
CREATE INDEX agent_workload_changes_person_idx ON agent_workload_changes (person_id);

CREATE OR REPLACE FUNCTION tickets_track_agent_workload() RETURNS trigger LANGUAGE plpgsql AS $$
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
        INSERT INTO agent_workload_changes (person_id, open_delta) VALUES (was_open_with, -1);
    END IF;
    IF NEW.agent_id IS NOT NULL AND (
        (was_open_with IS DISTINCT FROM is_open_with AND is_open_with IS NOT NULL)
        OR (TG_OP = 'INSERT' AND NEW.taken_at IS NOT NULL)
        OR (TG_OP = 'UPDATE' AND NEW.taken_at IS DISTINCT FROM OLD.taken_at)
    ) THEN
        INSERT INTO agent_workload_changes (person_id, open_delta, taken_at)
        VALUES (NEW.agent_id, CASE WHEN was_open_with IS DISTINCT FROM is_open_with AND is_open_with IS NOT NULL THEN 1 ELSE 0 END, NEW.taken_at);
    END IF;
    RETURN NULL;
END
$$;

-- Folds the committed changes into agent_workloads in one statement; returns how many it folded.
-- Rows that exist are updated and missing ones inserted (an upsert would check the proposed row,
-- which can hold a negative change, against open_tickets >= 0 before seeing the conflict).
CREATE FUNCTION fold_agent_workload_changes() RETURNS bigint LANGUAGE sql AS $$
    WITH folded AS (
        DELETE FROM agent_workload_changes RETURNING person_id, open_delta, taken_at
    ), sums AS (
        SELECT person_id, sum(open_delta)::integer AS open_delta, max(taken_at) AS taken_at, count(*) AS changes
        FROM folded GROUP BY person_id
    ), updated AS (
        UPDATE agent_workloads w SET open_tickets = w.open_tickets + s.open_delta, last_taken_at = greatest(w.last_taken_at, s.taken_at)
        FROM sums s WHERE w.person_id = s.person_id
        RETURNING w.person_id
    ), inserted AS (
        INSERT INTO agent_workloads (person_id, open_tickets, last_taken_at)
        SELECT person_id, open_delta, taken_at FROM sums WHERE person_id NOT IN (SELECT person_id FROM updated)
    )
    -- a data-modifying WITH runs to completion whether or not it is read
    SELECT coalesce(sum(changes), 0)::bigint FROM sums
$$;
