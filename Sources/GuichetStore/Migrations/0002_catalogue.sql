-- The service catalogue and the dispatch rules that send a new ticket to a team.

CREATE TABLE services (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE,
    family text NOT NULL,
    name text NOT NULL,
    subcategory text,
    in_perimeter boolean NOT NULL DEFAULT true,
    request_kinds text[] NOT NULL DEFAULT '{incident,request}'
);

CREATE TABLE routing_rules (
    id bigserial PRIMARY KEY,
    position integer NOT NULL,
    service_family text,
    ticket_kind text CHECK (ticket_kind IN ('incident', 'request')),
    team_id bigint REFERENCES teams (id),
    -- or: the team of this kind covering the establishment's département
    department_team_kind text CHECK (department_team_kind IN ('service_desk', 'level2', 'field', 'contractor')),
    CHECK ((team_id IS NULL) <> (department_team_kind IS NULL))
);
