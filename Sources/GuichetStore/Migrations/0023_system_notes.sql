-- Why Guichet itself changed a ticket (auto-assignment, auto-close, SLA warnings and breaches),
-- as a key and its values, so that the pages say it in their reader's language. `note` keeps the
-- English sentence for the API and the audit log. Expand only: older nodes write no such note.
ALTER TABLE ticket_events ADD COLUMN system_note jsonb;
