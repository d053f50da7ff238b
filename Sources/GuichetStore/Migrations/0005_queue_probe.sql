-- What probe jobs leave behind: one row per execution, so that fault tests and operators can
-- check that every job ran, and count the runs that happened twice.

CREATE TABLE queue.probe_runs (
    id bigserial PRIMARY KEY,
    job_id bigint NOT NULL,
    worker text NOT NULL,
    attempt integer NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX probe_runs_job_idx ON queue.probe_runs (job_id);
