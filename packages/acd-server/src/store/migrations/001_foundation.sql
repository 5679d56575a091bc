-- Foundation schema: people, skills, queues, lists, calendars, sessions, audit.
-- One file set serves Postgres and PGlite; keep to SQL both accept.

create table users (
  id            text primary key check (id ~ '^[0-9A-Za-z_.-]{1,32}$'),
  display_name  text not null,
  role          text not null check (role in ('agent', 'supervisor', 'admin')),
  -- scrypt$N$r$p$salt$hash, for web login
  password_hash text not null,
  -- digest HA1 = H(user:realm:password), per algorithm (RFC 8760), for SIP; the password itself is not kept
  sip_realm     text not null,
  sip_ha1_md5   text not null,
  sip_ha1_sha256 text not null,
  languages     text[] not null default '{}',
  enabled       boolean not null default true,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

create table skills (
  id          text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
  name        text not null,
  description text not null default ''
);

create table user_skills (
  user_id  text not null references users(id) on delete cascade,
  skill_id text not null references skills(id) on delete cascade,
  level    smallint not null check (level between 1 and 10),
  primary key (user_id, skill_id)
);

create table queues (
  id                   text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
  name                 text not null,
  strategy             text not null default 'longest-idle'
                       check (strategy in ('longest-idle', 'skill-level-longest-idle', 'round-robin', 'ring-all')),
  ring_timeout_s       integer not null default 20 check (ring_timeout_s between 5 and 120),
  max_wait_s           integer not null default 600 check (max_wait_s between 10 and 7200),
  max_size             integer not null default 200 check (max_size between 1 and 10000),
  overflow_target      text,
  announce_interval_s  integer not null default 30 check (announce_interval_s between 10 and 600),
  service_level_s      integer not null default 15 check (service_level_s between 1 and 600),
  wrap_up_s            integer not null default 30 check (wrap_up_s between 0 and 1800),
  calendar_id          text,
  screen_pop_url       text,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);

create table queue_skills (
  queue_id  text not null references queues(id) on delete cascade,
  skill_id  text not null references skills(id) on delete cascade,
  min_level smallint not null default 1 check (min_level between 1 and 10),
  primary key (queue_id, skill_id)
);

create table queue_members (
  queue_id text not null references queues(id) on delete cascade,
  user_id  text not null references users(id) on delete cascade,
  primary key (queue_id, user_id)
);

-- Black, white and priority (designated-number) lists.
create table list_entries (
  id         bigserial primary key,
  list       text not null check (list in ('black', 'white', 'priority')),
  pattern    text not null check (pattern ~ '^\+?[0-9]{1,20}$'),
  match      text not null default 'exact' check (match in ('exact', 'prefix')),
  -- blacklist: reject | notice | queue:<id>; others: null
  action     text,
  -- priority list: 1..9, higher answered first
  priority   smallint check (priority between 1 and 9),
  reason     text not null default '',
  expires_at timestamptz,
  added_by   text not null,
  created_at timestamptz not null default now(),
  unique (list, pattern, match)
);

create table calendars (
  id         text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
  name       text not null,
  time_zone  text not null default 'Asia/Shanghai',
  -- { "mon": [["08:30","17:30"]], … } ; empty array = closed that weekday
  weekly     jsonb not null,
  updated_at timestamptz not null default now()
);

-- Dated exceptions: public holidays (closed), adjusted working days (调休, open on a weekend),
-- special closures.
create table calendar_days (
  calendar_id text not null references calendars(id) on delete cascade,
  day         date not null,
  kind        text not null check (kind in ('holiday', 'workday', 'closed')),
  name        text not null default '',
  primary key (calendar_id, day)
);

-- Refresh sessions: a refresh token names one row; logout or rotation revokes it.
create table sessions (
  id          text primary key,
  user_id     text not null references users(id) on delete cascade,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  revoked_at  timestamptz,
  source_ip   text
);
create index sessions_user on sessions(user_id);

create table audit_log (
  id         bigserial primary key,
  at         timestamptz not null default now(),
  actor      text not null,
  action     text not null,
  entity     text not null,
  entity_id  text not null,
  before     jsonb,
  after      jsonb,
  source_ip  text
);
create index audit_log_entity on audit_log(entity, entity_id);
create index audit_log_at on audit_log(at);
