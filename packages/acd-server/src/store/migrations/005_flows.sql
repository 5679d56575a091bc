-- IVR flows stored with versions. A flow is a name and the numbers it answers; its
-- definitions are immutable numbered versions; publishing points the flow at one of them
-- (rolling back is publishing an older one).

create table flows (
  id                text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  name              text not null,
  description       text not null default '',
  published_version integer,
  published_at      timestamptz,
  published_by      text,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);

create table flow_versions (
  flow_id     text not null references flows(id) on delete cascade,
  version     integer not null check (version >= 1),
  -- the flow document as written (packages/ivr-flows schema), id and version stamped by the server
  definition  jsonb not null,
  created_by  text not null,
  created_at  timestamptz not null default now(),
  comment     text not null default '',
  primary key (flow_id, version)
);

-- A flow can only be published at a version it has.
alter table flows add constraint flows_published_version_fk
  foreign key (id, published_version) references flow_versions(flow_id, version);

-- The dialled numbers a flow answers (e.g. '12345'); one flow per number.
create table flow_numbers (
  number   text primary key check (number ~ '^\+?[0-9*#]{1,32}$'),
  flow_id  text not null references flows(id) on delete cascade
);
create index flow_numbers_flow on flow_numbers(flow_id);

-- Versions are immutable: what ran on a call can always be read back as it was.
create function flow_versions_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'flow versions are immutable' using errcode = '55000';
end
$$;
create trigger flow_versions_no_update before update on flow_versions
  for each row execute function flow_versions_immutable();
