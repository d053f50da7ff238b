-- The fleet: configuration items (workstations, servers, VMs, network devices, printers,
-- peripherals, applications and business services), their typed relations for impact analysis,
-- the tickets they are linked to, and the imports that bring them from inventories.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only stable (its dictionary could change); the search column needs an immutable
-- fold, with the dictionary named so that it does not depend on the search path.
CREATE FUNCTION ci_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT public.unaccent('public.unaccent'::regdictionary, lower($1))
$$;

CREATE TABLE cis (
    id bigserial PRIMARY KEY,
    class text NOT NULL CHECK (class IN (
        'desktop', 'laptop', 'thin_client', 'tablet', 'server', 'hypervisor', 'farm', 'virtual_machine', 'router', 'core_switch',
        'access_switch', 'firewall', 'wifi_controller', 'access_point', 'printer', 'copier', 'projector', 'interactive_display',
        'application', 'business_service')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'production' CHECK (status IN ('production', 'stock', 'repair', 'retired')),
    establishment_id bigint REFERENCES organizations (id),
    room text CHECK (length(room) <= 100),
    owner_id bigint REFERENCES organizations (id),
    serial text CHECK (length(serial) <= 100),
    asset_tag text CHECK (length(asset_tag) <= 100),
    brand text CHECK (length(brand) <= 100),
    model text CHECK (length(model) <= 100),
    os text CHECK (length(os) <= 100),
    ip inet,
    mac macaddr,
    supplier text CHECK (length(supplier) <= 200),
    warranty_end date,
    -- where it was imported from, and its id there; NULL for CIs created by hand
    source text CHECK (length(source) BETWEEN 1 AND 50),
    external_id text CHECK (length(external_id) BETWEEN 1 AND 200),
    last_seen_at timestamptz,
    -- the central antivirus' view of a workstation or server
    antivirus_signatures_at timestamptz,
    antivirus_contact_at timestamptz,
    antivirus_protected boolean,
    -- how many of its dependencies must stay up for it to work (two core switches, one is
    -- enough); NULL when it needs every one
    minimum_up integer CHECK (minimum_up > 0),
    attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- what search matches: name, serial, asset tag, addresses and room, folded
    search text GENERATED ALWAYS AS (ci_fold(
        name || ' ' || coalesce(serial, '') || ' ' || coalesce(asset_tag, '') || ' ' || coalesce(host(ip), '') || ' '
        || coalesce(mac::text, '') || ' ' || coalesce(room, '')
    )) STORED,
    CHECK ((source IS NULL) = (external_id IS NULL))
) WITH (fillfactor = 85);
-- room on each page for the new version of a row whose indexed columns do not change: every
-- import sets last_seen_at on each CI it lists, and those updates stay heap-only (HOT)
CREATE UNIQUE INDEX cis_source_external_idx ON cis (source, external_id) WHERE source IS NOT NULL;
CREATE INDEX cis_serial_idx ON cis (serial) WHERE serial IS NOT NULL;
CREATE INDEX cis_establishment_idx ON cis (establishment_id, name);
CREATE INDEX cis_search_idx ON cis USING gin (search gin_trgm_ops);
CREATE INDEX cis_name_idx ON cis (name, id);

-- `dependent` depends on `dependency`: a workstation is connected to its switch, a VM hosted on
-- its hypervisor, a business service runs on what it is made of, a server powered by its UPS.
CREATE TABLE ci_relations (
    dependent_id bigint NOT NULL REFERENCES cis (id),
    dependency_id bigint NOT NULL REFERENCES cis (id),
    kind text NOT NULL CHECK (kind IN ('connected_to', 'hosted_on', 'runs_on', 'powered_by')),
    port text CHECK (length(port) <= 100),
    PRIMARY KEY (dependent_id, dependency_id, kind),
    CHECK (dependent_id <> dependency_id)
);
CREATE INDEX ci_relations_dependency_idx ON ci_relations (dependency_id);

CREATE TABLE ticket_cis (
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    ci_id bigint NOT NULL REFERENCES cis (id),
    linked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ticket_id, ci_id)
);
CREATE INDEX ticket_cis_ci_idx ON ticket_cis (ci_id, ticket_id);

-- An inventory's file, kept until its import ran, with the import's progress and outcome.
CREATE TABLE ci_imports (
    id bigserial PRIMARY KEY,
    source text NOT NULL CHECK (length(source) BETWEEN 1 AND 50),
    mode text NOT NULL CHECK (mode IN ('full', 'delta')),
    format text NOT NULL CHECK (format IN ('csv', 'jsonl')),
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    submitted_by bigint REFERENCES people (id),
    content text,
    total_rows integer,
    processed_rows integer NOT NULL DEFAULT 0,
    created integer NOT NULL DEFAULT 0,
    updated integer NOT NULL DEFAULT 0,
    unchanged integer NOT NULL DEFAULT 0,
    retired integer NOT NULL DEFAULT 0,
    rejected jsonb NOT NULL DEFAULT '[]',
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
);

-- An inventory tool's token hands over inventories and nothing else.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check,
    ADD CONSTRAINT api_tokens_scopes_check CHECK (scopes <@ ARRAY['read', 'write', 'admin', 'inventory']::text[] AND cardinality(scopes) > 0);
