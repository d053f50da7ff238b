-- Notifications by e-mail: written in the transaction of the change they announce, sent by
-- `mail.send` jobs. The rendered message is kept, so that a retried send is the same message
-- with the same Message-ID, and what each person was told can be shown.

CREATE TABLE notifications (
    id bigserial PRIMARY KEY,
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    person_id bigint NOT NULL REFERENCES people (id),
    address text NOT NULL,
    kind text NOT NULL,
    locale text NOT NULL CHECK (locale IN ('fr', 'en')),
    -- the local part of the Message-ID; the sending worker adds the domain of its sender address
    message_key text NOT NULL UNIQUE,
    subject text NOT NULL,
    text_body text NOT NULL,
    html_body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    sent_at timestamptz,
    failed_at timestamptz,
    last_error text
);
CREATE INDEX notifications_ticket_idx ON notifications (ticket_id, id);
