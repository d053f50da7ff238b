-- Files joined to a ticket by its requester or its handlers: the bytes live in PostgreSQL with the
-- ticket, so a backup holds everything and any API node serves them. Size and type are checked by
-- the service; the database keeps the hard limit. A file is only ever served as a download.
CREATE TABLE attachments (
    id bigserial PRIMARY KEY,
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    comment_id bigint REFERENCES comments (id),
    filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type text NOT NULL,
    size integer NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    sha256 bytea NOT NULL,
    content bytea NOT NULL,
    uploaded_by bigint NOT NULL REFERENCES people (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_ticket_idx ON attachments (ticket_id, id);
