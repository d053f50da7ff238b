-- The dashboards aggregate tickets by creation and by resolution date over a period, within a
-- set of establishments: these indexes carry the columns those aggregates read, so that a period
-- is counted from the index alone (index-only scans), and the backlog reads open tickets only.
CREATE INDEX tickets_created_dashboard_idx ON tickets (created_at) INCLUDE (establishment_id, service_id);
CREATE INDEX tickets_resolved_dashboard_idx ON tickets (resolved_at) INCLUDE (establishment_id, service_id, created_at, resolution_mode)
    WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets_backlog_idx ON tickets (priority, team_id) INCLUDE (establishment_id, service_id)
    WHERE status NOT IN ('resolved', 'closed');
