-- The claim as a function planned with sorts and sequential scans turned off: its jobs must come
-- from the due-jobs index in order. As a plain statement, the planner chose by the table's
-- statistics, and right after a burst of enqueues (statistics still saying the table is nearly
-- empty) it read and sorted the whole backlog at every claim, 40 ms instead of 0.1, exactly when
-- the queue was busiest. `after_*` resume a busy worker's claims where its previous one stopped
-- (see JobQueue.claim); the commit does not wait for the disk (a lost claim runs the job again).
CREATE FUNCTION queue.claim_jobs(
    wanted_queue text, wanted integer, worker text, lease_seconds double precision,
    after_priority smallint, after_run_at timestamptz, after_id bigint
) RETURNS TABLE (id bigint, queue text, kind text, payload text, attempts integer, max_attempts integer, run_at timestamptz, priority smallint)
LANGUAGE plpgsql
SET enable_sort = off
SET enable_seqscan = off
SET enable_bitmapscan = off
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    IF after_id IS NULL THEN
        RETURN QUERY
        WITH next AS (
            SELECT j.id FROM queue.jobs j
            WHERE j.state = 0 AND j.queue = wanted_queue AND j.run_at <= now()
            ORDER BY j.priority DESC, j.run_at, j.id
            LIMIT wanted
            FOR UPDATE SKIP LOCKED
        )
        UPDATE queue.jobs AS j
        SET state = 1, attempts = j.attempts + 1, locked_by = worker,
            locked_until = now() + make_interval(secs => lease_seconds), started_at = now()
        FROM next WHERE j.id = next.id
        RETURNING j.id, j.queue, j.kind, j.payload::text, j.attempts, j.max_attempts, j.run_at, j.priority;
    ELSE
        RETURN QUERY
        WITH next AS (
            SELECT j.id FROM queue.jobs j
            WHERE j.state = 0 AND j.queue = wanted_queue AND j.priority = after_priority
              AND (j.run_at, j.id) > (after_run_at, after_id) AND j.run_at <= now()
            ORDER BY j.priority DESC, j.run_at, j.id
            LIMIT wanted
            FOR UPDATE SKIP LOCKED
        )
        UPDATE queue.jobs AS j
        SET state = 1, attempts = j.attempts + 1, locked_by = worker,
            locked_until = now() + make_interval(secs => lease_seconds), started_at = now()
        FROM next WHERE j.id = next.id
        RETURNING j.id, j.queue, j.kind, j.payload::text, j.attempts, j.max_attempts, j.run_at, j.priority;
    END IF;
END
$$;
