-- Tickets escalated before ticket_escalations existed are in the history: a contractor's agents
-- see those too. And a login is unique whatever its case, as sign-in looks it up.
INSERT INTO ticket_escalations (ticket_id, team_id, escalated_at)
SELECT e.ticket_id, t.id, e.at
FROM ticket_events e JOIN teams t ON t.id::text = e.changes -> 'team_id' ->> 'to'
WHERE e.kind = 'escalated'
ON CONFLICT DO NOTHING;

CREATE UNIQUE INDEX accounts_login_lower_key ON accounts (lower(login));

-- What sign-in leaves behind is purged by a periodic job: sessions past their expiry, throttle
-- windows long closed, reset tokens used or expired.
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX login_throttle_window_idx ON login_throttle (window_started_at);
CREATE INDEX password_resets_expires_idx ON password_resets (expires_at);
