-- The job queue, in its own schema. state: 0 pending, 1 running, 2 completed, 3 discarded, 4 cancelled.

CREATE SCHEMA queue;

CREATE TABLE queue.jobs (
    id bigserial PRIMARY KEY,
    queue text NOT NULL DEFAULT 'default',
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    state smallint NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 4),
    priority smallint NOT NULL DEFAULT 0,
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 10 CHECK (max_attempts >= 1),
    run_at timestamptz NOT NULL DEFAULT now(),
    locked_by text,
    locked_until timestamptz,
    unique_key text,
    errors jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
);
-- the claim query walks this index
CREATE INDEX jobs_due_idx ON queue.jobs (queue, priority DESC, run_at, id) WHERE state = 0;
-- the rescue and heartbeat queries walk this one
CREATE INDEX jobs_running_idx ON queue.jobs (locked_until) WHERE state = 1;
CREATE INDEX jobs_worker_idx ON queue.jobs (locked_by) WHERE state = 1;
CREATE UNIQUE INDEX jobs_unique_key ON queue.jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN (0, 1);
