-- SIP trunks (carriers' gateways, the demo `local` loopback), webhook subscriptions of the
-- 12345 business system, and a log of webhook deliveries.

create table trunks (
  id           text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
  name         text not null,
  -- where we send INVITEs and OPTIONS (RFC 3263 resolution is not done: host is an address or a name)
  host         text not null,
  port         integer not null default 5060 check (port between 1 and 65535),
  transport    text not null default 'udp' check (transport in ('udp', 'tcp', 'tls')),
  -- outbound digest (RFC 3261 §22.2): the carrier challenges us, so the password itself is kept
  username     text,
  password     text,
  -- inbound: INVITEs from these source addresses are taken as from this trunk, without digest
  inbound_addresses text[] not null default '{}',
  -- outbound: number prefixes this trunk serves ('' = any number)
  prefixes     text[] not null default '{}',
  -- simultaneous calls, both directions; 0 = no limit
  channel_limit integer not null default 30 check (channel_limit >= 0),
  enabled      boolean not null default true,
  -- 0 = not probed (always taken as up)
  options_interval_s integer not null default 30 check (options_interval_s = 0 or options_interval_s between 1 and 3600),
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);

create table webhooks (
  id         text primary key check (id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
  url        text not null,
  -- HMAC-SHA256 key; the receiver checks X-Hotline-Signature with it
  secret     text not null,
  events     text[] not null default '{}',
  enabled    boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table webhook_deliveries (
  id          bigserial primary key,
  webhook_id  text not null references webhooks(id) on delete cascade,
  -- the delivery id sent in the body (same on every retry)
  delivery_id text not null,
  event       text not null,
  attempts    integer not null,
  -- delivered | failed
  outcome     text not null check (outcome in ('delivered', 'failed')),
  last_status integer,
  last_error  text,
  at          timestamptz not null default now()
);
create index webhook_deliveries_hook on webhook_deliveries(webhook_id, id);
