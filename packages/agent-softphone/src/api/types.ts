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

export interface CallHistoryEntry {
  callId: string;
  direction?: "inbound" | "outbound";
  caller?: string;
  queueId?: string;
  startedAt: string;
  answeredAt?: string | null;
  endedAt?: string | null;
  durationSeconds?: number | null;
  cause?: string;
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
