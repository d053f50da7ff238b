-- Periodic jobs: one leader per role at a time (a lease renewed by its holder, taken over when it
-- expires), and a record of each period already enqueued so that a period runs once even when
-- leadership changes hands in the middle of it.

CREATE TABLE queue.leaders (
    role text PRIMARY KEY,
    holder text NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE TABLE queue.periodic_runs (
    name text NOT NULL,
    scheduled_at timestamptz NOT NULL,
    job_id bigint,
    PRIMARY KEY (name, scheduled_at)
);
