-- Mail received: one row per Message-ID, so that the same message delivered twice acts once, and
-- what became of each message can be told. An answer to an unknown sender is a notification about
-- no ticket and to no person.

CREATE TABLE inbound_messages (
    message_id text PRIMARY KEY,
    sender text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    outcome text NOT NULL,
    ticket_id bigint REFERENCES tickets (id)
);

ALTER TABLE notifications ALTER COLUMN ticket_id DROP NOT NULL, ALTER COLUMN person_id DROP NOT NULL;
CREATE INDEX notifications_address_idx ON notifications (lower(address), created_at) WHERE ticket_id IS NULL;
