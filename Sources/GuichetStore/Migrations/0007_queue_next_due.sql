-- Idle workers sleep until the next scheduled job of their queue is due: this index answers
-- "when is the next one?" without scanning the backlog.
CREATE INDEX jobs_next_due_idx ON queue.jobs (queue, run_at) WHERE state = 0;
