-- Agents on call are told at once of every critical (P1) incident, day and night.
ALTER TABLE team_members ADD COLUMN on_call boolean NOT NULL DEFAULT false;
CREATE INDEX team_members_on_call_idx ON team_members (person_id) WHERE on_call;
