import type {
  AgentStateName,
  AgentView,
  NotReadyReason,
  QueueStatsEvent,
  WallboardFigures,
} from "@hotline12345/acd-server/events";

export type { Language } from "../i18n.js";
export type { AgentStateName, AgentView, NotReadyReason, QueueStatsEvent, WallboardFigures };

export type Role = "agent" | "supervisor" | "admin";

export interface SessionUser {
  userId: string;
  role: Role;
  displayName: string;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: SessionUser;
}

export type SettableState = "READY" | "NOT_READY" | "LOGGED_OUT";

export type WrapUpAction = { action: "extend"; seconds: number } | { action: "end" };

export type TransferTargetKind = "agent" | "queue" | "number";
export interface TransferTarget {
  kind: TransferTargetKind;
  value: string;
}
export type TransferMode = "blind" | "attended";
export type MonitorMode = "listen" | "whisper" | "barge";

/** A call from the record (`GET /api/agents/me/calls`, `/api/calls/previous`, `/api/calls/history`). */
export interface CallHistoryEntry {
  callId: string;
  direction: "inbound" | "outbound";
  /** Masked (138****1234) for agents. */
  caller: string;
  dialled: string;
  queueId: string | null;
  agentId: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  talkSeconds: number | null;
  /** completed | abandoned | rejected | overflowed | failed | callback … */
  outcome: string | null;
  /** Survey: 1 very satisfied … 5 very dissatisfied. */
  rating: number | null;
}

/** An agent's figures for today (`GET /api/agents/me/stats`). */
export interface AgentTodayStats {
  since: string;
  answered: number;
  averageTalkSeconds: number | null;
  averageWrapUpSeconds: number | null;
  notReadySeconds: number;
  loggedInSeconds: number;
  utilisation: number | null;
  satisfaction: { ratings: number; satisfiedRate: number | null; averageRating: number | null };
}

export interface CallbackTask {
  id: string;
  /** Masked for agents. */
  caller: string;
  queueId: string;
  kind: "callback" | "missed-callback";
  since: string;
  originCallId?: string;
}
