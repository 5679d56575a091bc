/**
 * The typed socket.io event catalogue, shared with the softphone (which imports these types
 * only). Server → client events are pushed into rooms; client → server events carry an ack.
 *
 * Rooms: `agent:<userId>` (one agent's desk), `queue:<queueId>` (members of a queue),
 * `supervisors` (supervisors and admins: the board and the wall screen).
 */
import type { Role } from "../store/tables.js";

export type AgentStateName =
  | "LOGGED_OUT"
  | "NOT_READY"
  | "READY"
  | "RESERVED"
  | "RINGING"
  | "ON_CALL"
  | "HOLD"
  | "WRAP_UP";

export interface HelloEvent {
  userId: string;
  role: Role;
  displayName: string;
  rooms: string[];
  serverTime: string;
}

export interface AgentStateEvent {
  agentId: string;
  state: AgentStateName;
  reason?: string;
  since: string;
}

export interface QueueStatsEvent {
  queueId: string;
  waiting: number;
  longestWaitSeconds: number;
  agentsReady: number;
  serviceLevel: number | null;
}

export interface CallOfferedEvent {
  callId: string;
  queueId: string;
  /** Masked (138****1234) unless the receiver's role may see numbers. */
  caller: string;
  waitedSeconds: number;
  attached: Record<string, string>;
  /** The queue's business-system page for this call, filled (same as `screenPop.url`). */
  screenPopUrl?: string;
  /** How the desk opens it: beside the call or in a tab, on answer or already on offer. */
  screenPop?: { url: string; mode: "iframe" | "tab"; when: "answered" | "offered" };
}

export interface CallEndedEvent {
  callId: string;
  cause: string;
}

export interface AlarmEvent {
  id: string;
  kind: "trunk-down" | "trunk-up" | "queue-overflow" | "store-down";
  severity: "info" | "warning" | "critical";
  message: string;
  at: string;
}

/** An alarm on the supervisor board (REST `GET /api/alarms`; pushed as `alarm.raised`/`alarm.cleared`). */
export interface ActiveAlarm {
  /** Stable per condition: `trunk-down:<trunkId>`. */
  id: string;
  kind: "trunk-down";
  severity: "warning" | "critical";
  /** What it is about: the trunk id. */
  subject: string;
  message: string;
  raisedAt: string;
  /** Set on `alarm.cleared`. */
  clearedAt?: string;
}

/** An agent as the desk and the supervisor board show it (REST `GET /api/agents[/me]`). */
export interface AgentView {
  agentId: string;
  displayName: string;
  state: AgentStateName;
  /** NOT_READY reason code (break, meal, training, meeting, no-answer …). */
  reason?: string;
  since: string;
  /** Wrap-up end, when in WRAP_UP. */
  wrapUpEndsAt?: string;
  callId?: string;
  queues: string[];
}

export interface NotReadyReason {
  code: string;
  label: { zh: string; en: string };
}

/** The big-screen figures (REST `GET /api/wallboard`, pushed as `wallboard`). */
export interface WallboardFigures {
  at: string;
  waiting: number;
  longestWaitSeconds: number;
  offeredToday: number;
  answeredToday: number;
  abandonedToday: number;
  /** Share of answered calls answered within the service-level threshold (15 s), 0–1. */
  answeredWithinThresholdRate: number | null;
  /** answered / offered, 0–1. */
  answerRate: number | null;
  /** satisfied ratings (very satisfied + satisfied) / ratings, 0–1. */
  satisfactionRate: number | null;
  agentsByState: Partial<Record<AgentStateName, number>>;
  hourly: Array<{ hour: number; offered: number; answered: number; abandoned: number }>;
  queues: Array<{
    queueId: string;
    name: string;
    waiting: number;
    longestWaitSeconds: number;
    answered: number;
    abandoned: number;
    serviceLevel: number | null;
  }>;
}

export interface ServerToClientEvents {
  hello: (e: HelloEvent) => void;
  "agent.state": (e: AgentStateEvent) => void;
  "queue.stats": (e: QueueStatsEvent) => void;
  "call.offered": (e: CallOfferedEvent) => void;
  "call.ended": (e: CallEndedEvent) => void;
  /** A live call changed (hold, consult, transfer, three-way, monitors, end): to its agents and supervisors. */
  "call.updated": (e: LiveCallView) => void;
  alarm: (e: AlarmEvent) => void;
  "alarm.raised": (e: ActiveAlarm) => void;
  "alarm.cleared": (e: ActiveAlarm) => void;
  wallboard: (e: WallboardFigures) => void;
}

export type Ack<T> = (result: { ok: true; data: T } | { ok: false; code: string; message: string }) => void;

/** Where a transfer, consult or three-way goes. */
export type CallTargetWire =
  | { kind: "agent"; agentId: string }
  | { kind: "queue"; queueId: string }
  | { kind: "number"; number: string };

/** A call-control command (the same as the REST routes under `/api/calls/:id/…`). */
export type CallCommandWire =
  | {
      op:
        | "hold"
        | "retrieve"
        | "hangup"
        | "consult-complete"
        | "consult-cancel"
        | "stop-monitor"
        | "takeover";
    }
  | { op: "transfer"; to: CallTargetWire; mode?: "blind" | "attended"; data?: Record<string, string> }
  | { op: "conference"; to?: CallTargetWire; data?: Record<string, string> }
  | { op: "monitor"; mode: "listen" | "whisper" | "barge" };

/** A live answered call as its parties and the board see it (REST `GET /api/calls/:id`; pushed as `call.updated`). */
export interface LiveCallView {
  callId: string;
  /** Masked (138****1234) for agents. */
  caller: string;
  /** The agent (or supervisor after a take-over) who has the caller. */
  agentId?: string | undefined;
  held: boolean;
  /** Waiting for the next agent after a blind transfer. */
  transferring: boolean;
  ended: boolean;
  consult?:
    | { target: CallTargetWire; answered: boolean; conferenced: boolean; agentId?: string | undefined }
    | undefined;
  monitors: Array<{ supervisorId: string; mode: "listen" | "whisper" | "barge" }>;
  data: Record<string, string>;
}

export interface ClientToServerEvents {
  /** Round-trip check; also tells the client the server's clock. */
  ping: (ack: Ack<{ serverTime: string }>) => void;
  /** Call control over the socket: the same rules and error codes as the REST routes. */
  "call.command": (req: { callId: string } & CallCommandWire, ack: Ack<LiveCallView>) => void;
}

/** Per-socket data kept by the server. */
export interface SocketData {
  userId: string;
  role: Role;
  displayName: string;
}

export const rooms = {
  agent: (userId: string) => `agent:${userId}`,
  queue: (queueId: string) => `queue:${queueId}`,
  supervisors: "supervisors",
} as const;
