-- Maintenance windows: declared in Guichet by the service centre (with an end), or received from
-- monitoring as a downtime (open until its end is received). While one covers a CI (the CI itself,
-- what it depends on, or its whole establishment), monitoring opens no new incident for it: the
-- alert waits, and raises its incident when the window ends if it still fires.
CREATE TABLE maintenance_windows (
    id bigserial PRIMARY KEY,
    ci_id bigint REFERENCES cis (id) ON DELETE CASCADE,
    establishment_id bigint REFERENCES organizations (id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz,
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_by bigint NOT NULL REFERENCES people (id),
    -- a downtime received from monitoring: its alert's source and key, to find it again at its end
    source text,
    source_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    CHECK (ci_id IS NOT NULL OR establishment_id IS NOT NULL),
    CHECK (ends_at IS NULL OR ends_at > starts_at),
    CHECK (source IS NULL OR source_key IS NOT NULL)
);
CREATE INDEX maintenance_windows_ci_idx ON maintenance_windows (ci_id) WHERE cancelled_at IS NULL;
CREATE INDEX maintenance_windows_establishment_idx ON maintenance_windows (establishment_id) WHERE cancelled_at IS NULL;
-- one open downtime per monitored host or service of a source
CREATE UNIQUE INDEX maintenance_windows_downtime_idx ON maintenance_windows (created_by, source, source_key)
    WHERE source IS NOT NULL AND ends_at IS NULL AND cancelled_at IS NULL;

-- the window that kept an alert from raising its incident
ALTER TABLE alerts ADD COLUMN suppressed_by bigint REFERENCES maintenance_windows (id);
CREATE INDEX alerts_suppressed_idx ON alerts (suppressed_by) WHERE suppressed_by IS NOT NULL;
