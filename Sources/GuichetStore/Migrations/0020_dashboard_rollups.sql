-- Dashboards over years of tickets, rendered in milliseconds: monthly rollups per establishment
-- and service, kept fresh by a periodic job (dashboards.refresh). A month is recomputed whole from
-- the tickets when any of its tickets changed (their history entries say which), so a rollup never
-- drifts; the current and previous months are recomputed on every run.

-- Tickets opened in a month, and how their SLA clocks ended.
CREATE TABLE dashboard_opened (
    month date NOT NULL,
    establishment_id bigint NOT NULL,
    service_id bigint NOT NULL,  -- 0: no service
    opened integer NOT NULL,
    tto_met integer NOT NULL,
    tto_missed integer NOT NULL,
    ttr_met integer NOT NULL,
    ttr_missed integer NOT NULL,
    PRIMARY KEY (month, establishment_id, service_id)
);

-- Tickets resolved in a month: by mode, total hours, and a histogram of resolution times over
-- fixed buckets (dashboard_buckets) from which the median is read.
CREATE TABLE dashboard_resolved (
    month date NOT NULL,
    establishment_id bigint NOT NULL,
    service_id bigint NOT NULL,
    resolved integer NOT NULL,
    remote integer NOT NULL,
    on_site integer NOT NULL,
    hours double precision NOT NULL,
    buckets integer[] NOT NULL,
    PRIMARY KEY (month, establishment_id, service_id)
);

-- Upper bounds (hours) of the resolution-time buckets; the last bucket is open.
CREATE FUNCTION dashboard_buckets() RETURNS double precision[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY[0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720]::double precision[]
$$;

CREATE TABLE dashboard_refresh (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_event_id bigint NOT NULL DEFAULT 0,
    refreshed_at timestamptz
);
INSERT INTO dashboard_refresh DEFAULT VALUES;

CREATE INDEX tickets_created_month_idx ON tickets (created_at);
CREATE INDEX tickets_resolved_month_idx ON tickets (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets_backlog_idx ON tickets (priority, team_id) INCLUDE (establishment_id, service_id)
    WHERE status NOT IN ('resolved', 'closed');

-- Recomputes one month (Paris time) of both rollups from the tickets.
CREATE FUNCTION refresh_dashboard_month(first_day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    starts timestamptz := first_day::timestamp AT TIME ZONE 'Europe/Paris';
    ends timestamptz := (first_day + interval '1 month')::timestamp AT TIME ZONE 'Europe/Paris';
BEGIN
    DELETE FROM dashboard_opened WHERE month = first_day;
    INSERT INTO dashboard_opened (month, establishment_id, service_id, opened, tto_met, tto_missed, ttr_met, ttr_missed)
    SELECT first_day, t.establishment_id, coalesce(t.service_id, 0), count(*),
           count(*) FILTER (WHERE k.tto = 1), count(*) FILTER (WHERE k.tto = -1),
           count(*) FILTER (WHERE k.ttr = 1), count(*) FILTER (WHERE k.ttr = -1)
    FROM tickets t
    -- each ticket's two clocks by key (an aggregate, so that the planner does not turn it into a
    -- join reading the clocks of every month): 1 met, -1 missed, 0 still running
    LEFT JOIN LATERAL (
        SELECT max(CASE WHEN c.metric = 'tto' THEN o.outcome END) AS tto, max(CASE WHEN c.metric = 'ttr' THEN o.outcome END) AS ttr
        FROM ticket_sla_clocks c,
             LATERAL (SELECT CASE WHEN c.breached_at IS NOT NULL OR c.consumed_seconds > c.target_seconds THEN -1
                                  WHEN c.stopped_at IS NOT NULL THEN 1 ELSE 0 END AS outcome) o
        WHERE c.ticket_id = t.id
    ) k ON true
    WHERE t.created_at >= starts AND t.created_at < ends
    GROUP BY t.establishment_id, coalesce(t.service_id, 0);

    DELETE FROM dashboard_resolved WHERE month = first_day;
    WITH per_bucket AS (
        SELECT t.establishment_id, coalesce(t.service_id, 0) AS service_id,
               width_bucket(extract(epoch FROM t.resolved_at - t.created_at) / 3600, dashboard_buckets()) + 1 AS bucket,
               count(*)::integer AS n, count(*) FILTER (WHERE t.resolution_mode = 'remote')::integer AS remote,
               count(*) FILTER (WHERE t.resolution_mode = 'on_site')::integer AS on_site,
               sum(extract(epoch FROM t.resolved_at - t.created_at) / 3600) AS hours
        FROM tickets t
        WHERE t.resolved_at >= starts AND t.resolved_at < ends
        GROUP BY 1, 2, 3
    ), per_group AS (
        SELECT establishment_id, service_id, sum(n)::integer AS n, sum(remote)::integer AS remote, sum(on_site)::integer AS on_site, sum(hours) AS hours
        FROM per_bucket GROUP BY 1, 2
    )
    INSERT INTO dashboard_resolved (month, establishment_id, service_id, resolved, remote, on_site, hours, buckets)
    SELECT first_day, g.establishment_id, g.service_id, g.n, g.remote, g.on_site, g.hours, h.buckets
    FROM per_group g JOIN (
        SELECT g2.establishment_id, g2.service_id, array_agg(coalesce(p.n, 0) ORDER BY b.i) AS buckets
        FROM per_group g2 CROSS JOIN generate_series(1, array_length(dashboard_buckets(), 1) + 1) AS b (i)
        LEFT JOIN per_bucket p ON p.establishment_id = g2.establishment_id AND p.service_id = g2.service_id AND p.bucket = b.i
        GROUP BY 1, 2
    ) h ON h.establishment_id = g.establishment_id AND h.service_id = g.service_id;
END
$$;

-- Recomputes the months whose tickets changed since the last run (from the history), and the
-- current and previous months; returns how many months were recomputed. One run at a time.
CREATE FUNCTION refresh_dashboards() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    since bigint;
    last_run timestamptz;
    newest bigint;
    month date;
    months integer := 0;
BEGIN
    SELECT last_event_id, coalesce(refreshed_at, '-infinity') INTO since, last_run FROM dashboard_refresh FOR UPDATE;
    SELECT coalesce(max(id), 0) INTO newest FROM ticket_events;
    FOR month IN
        WITH changed AS (
            -- past the mark, and the entries written shortly before the last run: one whose
            -- transaction committed after that run, with a smaller id than the mark, is not missed
            SELECT DISTINCT ticket_id FROM ticket_events
            WHERE id <= newest AND (id > since OR (id > since - 10000 AND at > last_run - interval '10 seconds'))
        ), touched AS (
            SELECT date_trunc('month', t.created_at AT TIME ZONE 'Europe/Paris')::date AS m FROM tickets t JOIN changed c ON c.ticket_id = t.id
            UNION SELECT date_trunc('month', t.resolved_at AT TIME ZONE 'Europe/Paris')::date FROM tickets t JOIN changed c ON c.ticket_id = t.id
                WHERE t.resolved_at IS NOT NULL
            UNION SELECT date_trunc('month', now() AT TIME ZONE 'Europe/Paris')::date
            UNION SELECT (date_trunc('month', now() AT TIME ZONE 'Europe/Paris') - interval '1 month')::date
            UNION SELECT date_trunc('month', t.created_at AT TIME ZONE 'Europe/Paris')::date FROM tickets t WHERE since = 0
            UNION SELECT date_trunc('month', t.resolved_at AT TIME ZONE 'Europe/Paris')::date FROM tickets t WHERE since = 0 AND t.resolved_at IS NOT NULL
        )
        SELECT m FROM touched WHERE m IS NOT NULL ORDER BY m
    LOOP
        PERFORM refresh_dashboard_month(month);
        months := months + 1;
    END LOOP;
    UPDATE dashboard_refresh SET last_event_id = newest, refreshed_at = clock_timestamp();
    RETURN months;
END
$$;
