import type { AcdEvents } from "../acd/acd.js";
import type { TypedEmitter } from "../acd/events.js";
import type { QueueItem } from "../acd/types.js";
import type { Webhooks } from "./webhooks.js";

/**
 * The call data every call webhook carries. The caller number is sent in full: the business
 * system is where the citizen's case is filed (masking is for roles in our own UI).
 */
export interface CallWebhookData {
  callId: string;
  callerNumber: string;
  queueId: string;
  agentId: string | null;
  /** The IVR's attached data (language, business-system lookups, …). */
  attached: Record<string, string>;
}

export interface CallOfferedData extends CallWebhookData {
  agentId: string;
  ringTimeoutSeconds: number;
  waitedSeconds: number;
}

export interface CallAnsweredData extends CallWebhookData {
  agentId: string;
  waitedSeconds: number;
  withinServiceLevel: boolean;
}

export interface CallEndedData extends CallWebhookData {
  /** hangup / caller-hangup / agent-logout / agent-disconnect, or abandoned (never answered). */
  reason: string;
}

/** What `survey.completed` carries (the call session emits it once the caller has rated). */
export interface SurveyCompletedData {
  callId: string;
  callerNumber: string;
  agentId: string | null;
  queueId: string | null;
  /** 1 very satisfied … 5 very dissatisfied. */
  rating: number;
}

function base(item: QueueItem, agentId: string | null): CallWebhookData {
  return {
    callId: item.id,
    callerNumber: item.number,
    queueId: item.queueId,
    agentId,
    attached: { ...(item.data ?? {}) },
  };
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

/**
 * Turns the ACD's events into the business system's call webhooks: `call.offered` (ringing at
 * an agent; again after a requeue), `call.answered`, `call.ended` (after an answer, or
 * abandoned in the queue). Only callers' calls: consults and callback tasks are internal work.
 * Returns the unsubscribe.
 */
export function forwardAcdEvents(
  events: TypedEmitter<AcdEvents>,
  webhooks: Pick<Webhooks, "emit">,
): () => void {
  const isCall = (item: QueueItem) => item.kind === "call";
  const offs = [
    events.on("call.offered", (e) => {
      if (!isCall(e.item)) return;
      webhooks.emit("call.offered", {
        ...base(e.item, e.agentId),
        agentId: e.agentId,
        ringTimeoutSeconds: seconds(e.ringTimeoutMs),
        waitedSeconds: seconds(e.at - e.item.arrivedAt),
      } satisfies CallOfferedData);
    }),
    events.on("call.answered", (e) => {
      if (!isCall(e.item)) return;
      webhooks.emit("call.answered", {
        ...base(e.item, e.agentId),
        agentId: e.agentId,
        waitedSeconds: seconds(e.waitMs),
        withinServiceLevel: e.withinServiceLevel,
      } satisfies CallAnsweredData);
    }),
    events.on("call.ended", (e) => {
      if (!isCall(e.item)) return;
      webhooks.emit("call.ended", { ...base(e.item, e.agentId), reason: e.reason } satisfies CallEndedData);
    }),
    events.on("call.abandoned", (e) => {
      if (!isCall(e.item)) return;
      webhooks.emit("call.ended", { ...base(e.item, null), reason: "abandoned" } satisfies CallEndedData);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/** For the call session, once the caller has rated the call: one `survey.completed` per call. */
export function surveyCompleted(webhooks: Pick<Webhooks, "emit">, data: SurveyCompletedData): void {
  webhooks.emit("survey.completed", data);
}
