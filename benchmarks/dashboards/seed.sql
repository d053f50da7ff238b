-- Seeds :tickets closed-history tickets over the last three years on the demo directory, with
-- their two SLA clocks, for the dashboards benchmark. Triggers are skipped (a throwaway benchmark
-- database): history, workloads and escalations are not what a dashboard reads.
SET session_replication_role = replica;

CREATE TEMP TABLE pick AS
SELECT (SELECT array_agg(id ORDER BY id) FROM organizations WHERE kind = 'establishment') AS establishments,
       (SELECT array_agg(id ORDER BY id) FROM services WHERE in_perimeter) AS services,
       (SELECT array_agg(id ORDER BY id) FROM teams) AS teams,
       (SELECT array_agg(id ORDER BY id) FROM people) AS people,
       (SELECT min(id) FROM sla_policies) AS policy,
       (SELECT min(id) FROM calendars) AS calendar;

INSERT INTO tickets (ref, kind, title, status, impact, urgency, priority, origin, requester_id, establishment_id, service_id, team_id,
                     resolution_code, solution, resolution_mode, created_at, updated_at, taken_at, resolved_at, closed_at)
SELECT 'B-' || s.g, CASE WHEN s.g % 3 = 0 THEN 'request' ELSE 'incident' END, 'Benchmark ticket ' || s.g,
       CASE WHEN s.open THEN 'assigned' ELSE 'closed' END,
       1 + s.g % 3, 1 + (s.g / 3) % 3, 1 + s.g % 4, 'portal',
       p.people[1 + s.g % array_length(p.people, 1)],
       p.establishments[1 + (s.g::bigint * 7919) % array_length(p.establishments, 1)],
       p.services[1 + (s.g::bigint * 31) % array_length(p.services, 1)],
       p.teams[1 + s.g % array_length(p.teams, 1)],
       CASE WHEN s.open THEN NULL ELSE 'fixed' END, CASE WHEN s.open THEN NULL ELSE 'done' END,
       CASE WHEN s.open THEN NULL WHEN s.remote THEN 'remote' ELSE 'on_site' END,
       s.created, s.created, s.created + s.own, CASE WHEN s.open THEN NULL ELSE s.created + s.resolve END,
       CASE WHEN s.open THEN NULL ELSE s.created + s.resolve + interval '2 days' END
FROM (
    SELECT g, random() < 0.02 AS open, random() < 0.8 AS remote, now() - random() * interval '1095 days' AS created,
           random() * interval '40 minutes' AS own, power(random(), 3) * interval '96 hours' AS resolve
    FROM generate_series(1, :tickets) AS g
) s, pick p;

INSERT INTO ticket_sla_clocks (ticket_id, metric, policy_id, calendar_id, target_seconds, started_at, consumed_seconds, stopped_at, breached_at)
SELECT t.id, m.metric, p.policy, p.calendar, m.target, t.created_at,
       extract(epoch FROM coalesce(CASE m.metric WHEN 'tto' THEN t.taken_at ELSE t.resolved_at END, now()) - t.created_at),
       CASE m.metric WHEN 'tto' THEN t.taken_at ELSE t.resolved_at END,
       CASE WHEN coalesce(CASE m.metric WHEN 'tto' THEN t.taken_at ELSE t.resolved_at END, now()) - t.created_at > make_interval(secs => m.target)
            THEN t.created_at + make_interval(secs => m.target) END
FROM tickets t, pick p, (VALUES ('tto', 1800.0), ('ttr', 86400.0)) AS m (metric, target)
WHERE t.ref LIKE 'B-%';

-- history entries mark the seeded tickets as changed, as real ones would be, for the rollup job
INSERT INTO ticket_events (ticket_id, kind) SELECT id, 'created' FROM tickets WHERE ref LIKE 'B-%';

SET session_replication_role = origin;
VACUUM ANALYZE tickets;
VACUUM ANALYZE ticket_sla_clocks;
