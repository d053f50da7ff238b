-- Webhooks: partners' and tools' subscriptions to ticket events. A trigger on the history turns
-- each event into one delivery per matching subscription and its job, in the transaction of the
-- change: an event is announced if and only if it happened. Internal notes never leave.

CREATE TABLE webhook_subscriptions (
    id bigserial PRIMARY KEY,
    url text NOT NULL CHECK (url ~ '^https?://'),
    -- the shared key of the HMAC signatures: the receiver needs it as is, so it cannot be hashed;
    -- it is shown once, to the administrator who creates the subscription
    secret text NOT NULL,
    event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
    -- loopback, link-local and private targets are refused unless an administrator allows them
    allow_private boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    created_by bigint REFERENCES people (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id bigserial PRIMARY KEY,
    subscription_id bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    delivery_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_status integer,
    last_error text,
    delivered_at timestamptz,
    failed_at timestamptz
);
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id DESC);

CREATE FUNCTION ticket_events_to_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'noted' THEN
        RETURN NULL;
    END IF;
    WITH deliveries AS (
        INSERT INTO webhook_deliveries (subscription_id, event_type, payload)
        SELECT s.id, NEW.kind, jsonb_build_object(
            'event', NEW.kind,
            'event_id', NEW.id,
            'at', NEW.at,
            'changes', NEW.changes,
            'note', CASE WHEN NEW.internal THEN NULL ELSE NEW.note END,
            'ticket', (
                SELECT jsonb_build_object(
                    'id', t.id, 'ref', t.ref, 'kind', t.kind, 'title', t.title, 'status', t.status, 'priority', 'P' || t.priority,
                    'establishment_id', t.establishment_id, 'team_id', t.team_id, 'agent_id', t.agent_id, 'sla_breached', t.sla_breached
                )
                FROM tickets t WHERE t.id = NEW.ticket_id
            )
        )
        FROM webhook_subscriptions s
        WHERE s.active AND NEW.kind = ANY (s.event_types)
        RETURNING id
    )
    INSERT INTO queue.jobs (queue, kind, payload, max_attempts, unique_key)
    SELECT 'webhooks', 'webhook.deliver', jsonb_build_object('delivery_id', id), 10, 'webhook:' || id FROM deliveries;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_events_webhooks AFTER INSERT ON ticket_events FOR EACH ROW EXECUTE FUNCTION ticket_events_to_webhooks();
