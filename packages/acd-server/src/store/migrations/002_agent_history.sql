-- Agent state history (one row per transition) and the admin-defined not-ready reasons.

create table agent_state_history (
  id          bigserial primary key,
  agent_id    text not null,
  from_state  text not null,
  to_state    text not null,
  reason      text,
  call_id     text,
  at          timestamptz not null,
  -- milliseconds spent in from_state
  from_ms     bigint not null
);
create index agent_state_history_agent_at on agent_state_history(agent_id, at);

create table not_ready_reasons (
  code      text primary key check (code ~ '^[a-z][a-z0-9-]{0,31}$'),
  label_zh  text not null,
  label_en  text not null,
  -- set by the system (no-answer, login), not chosen by agents
  system    boolean not null default false,
  position  smallint not null default 0
);

insert into not_ready_reasons (code, label_zh, label_en, system, position) values
  ('break',    '小休',   'Break',     false, 1),
  ('meal',     '用餐',   'Meal',      false, 2),
  ('training', '培训',   'Training',  false, 3),
  ('meeting',  '会议',   'Meeting',   false, 4),
  ('paperwork','文书处理', 'Paperwork', false, 5),
  ('no-answer','未接听', 'No answer', true,  90),
  ('login',    '刚登录', 'Logged in', true,  91),
  ('supervisor','班长置忙', 'Set by supervisor', true, 92);
