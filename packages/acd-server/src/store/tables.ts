import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Row types of the schema in ./migrations, for the typed query layer. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type Role = "agent" | "supervisor" | "admin";
export const roles: readonly Role[] = ["agent", "supervisor", "admin"];

export interface UsersTable {
  id: string;
  display_name: string;
  role: Role;
  password_hash: string;
  sip_realm: string;
  sip_ha1_md5: string;
  sip_ha1_sha256: string;
  languages: string[];
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SkillsTable {
  id: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
}

export interface UserSkillsTable {
  user_id: string;
  skill_id: string;
  level: number;
}

export type QueueStrategy = "longest-idle" | "skill-level-longest-idle" | "round-robin" | "ring-all";

export type ScreenPopMode = "iframe" | "tab";
export type ScreenPopWhen = "answered" | "offered";

export interface QueuesTable {
  id: string;
  name: string;
  strategy: ColumnType<QueueStrategy, QueueStrategy | undefined, QueueStrategy>;
  ring_timeout_s: ColumnType<number, number | undefined, number>;
  max_wait_s: ColumnType<number, number | undefined, number>;
  max_size: ColumnType<number, number | undefined, number>;
  overflow_target: string | null;
  announce_interval_s: ColumnType<number, number | undefined, number>;
  service_level_s: ColumnType<number, number | undefined, number>;
  wrap_up_s: ColumnType<number, number | undefined, number>;
  calendar_id: string | null;
  screen_pop_url: string | null;
  voice_stream_url: ColumnType<string | null, string | null | undefined, string | null>;
  screen_pop_mode: ColumnType<ScreenPopMode, ScreenPopMode | undefined, ScreenPopMode>;
  screen_pop_when: ColumnType<ScreenPopWhen, ScreenPopWhen | undefined, ScreenPopWhen>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface QueueSkillsTable {
  queue_id: string;
  skill_id: string;
  min_level: ColumnType<number, number | undefined, number>;
}

export interface QueueMembersTable {
  queue_id: string;
  user_id: string;
}

export type ListName = "black" | "white" | "priority";

export interface ListEntriesTable {
  id: Generated<string>;
  list: ListName;
  pattern: string;
  match: ColumnType<"exact" | "prefix", "exact" | "prefix" | undefined, "exact" | "prefix">;
  action: string | null;
  priority: number | null;
  reason: ColumnType<string, string | undefined, string>;
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  added_by: string;
  created_at: Timestamp;
}

export type WeeklyHours = Record<
  "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun",
  Array<[string, string]>
>;

export interface CalendarsTable {
  id: string;
  name: string;
  time_zone: ColumnType<string, string | undefined, string>;
  weekly: Json<WeeklyHours>;
  updated_at: Timestamp;
}

export interface CalendarDaysTable {
  calendar_id: string;
  day: ColumnType<string, string, string>;
  kind: "holiday" | "workday" | "closed";
  name: ColumnType<string, string | undefined, string>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  source_ip: string | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
  source_ip: string | null;
}

export interface AgentStateHistoryTable {
  id: Generated<string>;
  agent_id: string;
  from_state: string;
  to_state: string;
  reason: string | null;
  call_id: string | null;
  at: ColumnType<Date, Date | string, Date | string>;
  from_ms: ColumnType<string, number, number>;
}

export interface NotReadyReasonsTable {
  code: string;
  label_zh: string;
  label_en: string;
  system: ColumnType<boolean, boolean | undefined, boolean>;
  position: ColumnType<number, number | undefined, number>;
}

type Stamp = ColumnType<Date, Date | string, Date | string>;

export interface CallsTable {
  id: string;
  direction: "inbound" | "outbound";
  caller: string;
  dialled: string;
  origin: string;
  media: ColumnType<string, string | undefined, string>;
  queue_id: string | null;
  agent_id: string | null;
  started_at: Stamp;
  answered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  outcome: string | null;
  end_cause: string | null;
  ivr_path: ColumnType<unknown, string | undefined, string>;
  attached: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface CallEventsTable {
  id: Generated<string>;
  call_id: string;
  at: Stamp;
  kind: string;
  agent_id: string | null;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface SurveysTable {
  call_id: string;
  agent_id: string | null;
  rating: number;
  at: Stamp;
}

export interface RecordingsTable {
  id: string;
  call_id: string;
  path: string;
  agent_id: string | null;
  started_at: Stamp;
  seconds: ColumnType<string | null, number | null | undefined, number | null>;
  parties: ColumnType<unknown, string | undefined, string>;
}

export type TrunkTransport = "udp" | "tcp" | "tls";

export interface TrunksTable {
  id: string;
  name: string;
  host: string;
  port: ColumnType<number, number | undefined, number>;
  transport: ColumnType<TrunkTransport, TrunkTransport | undefined, TrunkTransport>;
  username: string | null;
  password: string | null;
  inbound_addresses: ColumnType<string[], string[] | undefined, string[]>;
  prefixes: ColumnType<string[], string[] | undefined, string[]>;
  channel_limit: ColumnType<number, number | undefined, number>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  options_interval_s: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhooksTable {
  id: string;
  url: string;
  secret: string;
  events: ColumnType<string[], string[] | undefined, string[]>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  webhook_id: string;
  delivery_id: string;
  event: string;
  attempts: number;
  outcome: "delivered" | "failed";
  last_status: number | null;
  last_error: string | null;
  at: Timestamp;
}

export interface FlowsTable {
  id: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  published_version: ColumnType<number | null, number | null | undefined, number | null>;
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  published_by: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FlowVersionsTable {
  flow_id: string;
  version: number;
  definition: ColumnType<unknown, string, never>;
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  comment: ColumnType<string, string | undefined, never>;
}

export interface FlowNumbersTable {
  number: string;
  flow_id: string;
}

export interface Tables {
  users: UsersTable;
  skills: SkillsTable;
  user_skills: UserSkillsTable;
  queues: QueuesTable;
  queue_skills: QueueSkillsTable;
  queue_members: QueueMembersTable;
  list_entries: ListEntriesTable;
  calendars: CalendarsTable;
  calendar_days: CalendarDaysTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  agent_state_history: AgentStateHistoryTable;
  not_ready_reasons: NotReadyReasonsTable;
  calls: CallsTable;
  call_events: CallEventsTable;
  surveys: SurveysTable;
  recordings: RecordingsTable;
  flows: FlowsTable;
  flow_versions: FlowVersionsTable;
  flow_numbers: FlowNumbersTable;
  trunks: TrunksTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type QueueRow = Selectable<QueuesTable>;
export type ListEntryRow = Selectable<ListEntriesTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type TrunkRow = Selectable<TrunksTable>;
export type WebhookRow = Selectable<WebhooksTable>;
