-- Call records: one row per call, one per event, survey ratings, recording metadata.

create table calls (
  id            text primary key,
  direction     text not null check (direction in ('inbound', 'outbound')),
  caller        text not null,
  dialled       text not null,
  origin        text not null,
  media         text not null default 'audio',
  queue_id      text,
  agent_id      text,
  started_at    timestamptz not null,
  answered_at   timestamptz,
  ended_at      timestamptz,
  -- completed | abandoned | rejected | overflowed | failed | callback
  outcome       text,
  end_cause     text,
  ivr_path      jsonb not null default '[]',
  attached      jsonb not null default '{}'
);
create index calls_started on calls(started_at);
create index calls_caller on calls(caller);

create table call_events (
  id       bigserial primary key,
  call_id  text not null references calls(id) on delete cascade,
  at       timestamptz not null,
  -- offered, queued, announced, rung, answered, held, transferred, conferenced, abandoned, completed, surveyed, ivr
  kind     text not null,
  agent_id text,
  data     jsonb not null default '{}'
);
create index call_events_call on call_events(call_id, id);

create table surveys (
  call_id  text primary key references calls(id) on delete cascade,
  agent_id text,
  -- 1 very satisfied … 5 very dissatisfied
  rating   smallint not null check (rating between 1 and 5),
  at       timestamptz not null
);

create table recordings (
  id         text primary key,
  call_id    text not null references calls(id) on delete cascade,
  path       text not null,
  agent_id   text,
  started_at timestamptz not null,
  seconds    numeric(10, 2),
  parties    jsonb not null default '[]'
);
create index recordings_call on recordings(call_id);
