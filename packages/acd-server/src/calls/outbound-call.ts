import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { AgentState } from "../acd/index.js";
import type { Leg, Switch } from "../engine/port.js";
import { HotlineError } from "../errors.js";
import type { AcdRuntime } from "../routing/runtime.js";
import type { Store } from "../store/store.js";
import { CallRecords } from "./call-records.js";
import { Conversation, type ConversationDeps } from "./conversation.js";

export interface OutboundCallDeps {
  switch: Switch;
  runtime: AcdRuntime;
  store: Store;
  log: Logger;
  hotlineNumber: string;
  recordingsDir: string;
  onCallChange?: ConversationDeps["onChange"];
}

export interface OutboundCallRequest {
  agentId: string;
  /** The citizen's number, dialled through a trunk. */
  number: string;
  /** A callback task the agent works with this call (claimed here; wrap-up when it ends). */
  taskId?: string | undefined;
  /** Shown with the call and kept in its record (e.g. the business system's ticket). */
  data?: Record<string, string> | undefined;
}

/** The agent's own leg rings this long before the attempt is given up. */
const AGENT_RING_MS = 30_000;
/** The citizen's phone rings this long. */
const NUMBER_RING_MS = 45_000;

/**
 * An outbound call (click-to-dial, a callback): the agent's phone first, then the citizen's
 * number through a trunk, presenting the hotline's number, never the agent's (the switch adds
 * P-Asserted-Identity, RFC 3325). Once both answer it is a Conversation like any inbound call:
 * recorded, held, conferenced, monitored.
 *
 * Without a callback task the agent is not in the ACD's hands meanwhile: a READY agent is set
 * NOT_READY (outbound) for the call so no inbound call is offered over it, and READY again after.
 */
export async function placeOutboundCall(
  d: OutboundCallDeps,
  r: OutboundCallRequest,
  onConversation: (c: Conversation) => void,
): Promise<{ callId: string; done: Promise<void> }> {
  if (!d.switch.registered(r.agentId))
    throw new HotlineError("HOTLINE_ERR_NO_DEVICE", `agent ${r.agentId} has no registered phone`);
  const acd = d.runtime.acd;
  const before = await acd.agent(r.agentId);
  if (r.taskId) {
    if (before.state === AgentState.LoggedOut) await acd.login(r.agentId);
    if (!(await acd.claim(r.agentId, r.taskId)))
      throw new HotlineError("HOTLINE_ERR_CONFLICT", "someone else took this task first");
    await acd.answered(r.agentId, r.taskId);
  } else if (before.state === AgentState.Ready) {
    await acd.setNotReady(r.agentId, "outbound");
  } else if (before.state !== AgentState.NotReady && before.state !== AgentState.WrapUp) {
    throw new HotlineError("HOTLINE_ERR_CALL_STATE", `agent ${r.agentId} is ${before.state}`);
  }
  const callId = randomUUID();
  const log = d.log.child({ callId, outbound: true });
  const records = new CallRecords(d.store, log, callId);
  const started = Date.now();
  records.open({
    direction: "outbound",
    caller: d.hotlineNumber,
    dialled: r.number,
    origin: r.agentId,
    media: "audio",
    at: started,
  });
  if (r.data) records.update({ attached: r.data });

  const restore = async () => {
    if (r.taskId) return; // the conversation's end put the agent in wrap-up
    const now = await acd.agent(r.agentId).catch(() => undefined);
    if (before.state === AgentState.Ready && now?.state === AgentState.NotReady && now.reason === "outbound")
      await acd.setReady(r.agentId).catch(() => undefined);
  };
  const fail = async (cause: string, legs: Leg[]) => {
    for (const l of legs) await l.hangup("normal").catch(() => undefined);
    if (r.taskId) await acd.hangup(r.agentId, r.taskId).catch(() => false);
    records.update({ endedAt: Date.now(), outcome: "failed", endCause: cause });
    await restore();
    await records.flush();
  };

  const agent = await d.switch.originate({
    to: { kind: "agent", agentId: r.agentId },
    // The agent's screen shows whom they are calling.
    callerNumber: r.number,
    callerName: `外呼 ${r.number}`,
    timeoutMs: AGENT_RING_MS,
    headers: { "X-Hotline-Call-Id": callId, "X-Hotline-Outbound": r.number },
  });
  if (!agent.ok) {
    await fail(`agent-${agent.cause}`, []);
    throw new HotlineError("HOTLINE_ERR_NO_DEVICE", `agent ${r.agentId}'s phone did not answer`);
  }
  records.event("rung", Date.now(), { leg: "agent" }, r.agentId);

  const done = (async () => {
    const citizen = await d.switch.originate({
      to: { kind: "number", number: r.number },
      callerNumber: d.hotlineNumber,
      callerName: "12345",
      timeoutMs: NUMBER_RING_MS,
      near: agent.leg,
      headers: { "X-Hotline-Call-Id": callId },
    });
    if (!citizen.ok) {
      log.info({ cause: citizen.cause, detail: citizen.detail }, "outbound call not answered");
      records.event("failed", Date.now(), { cause: citizen.cause, detail: citizen.detail }, r.agentId);
      await fail(citizen.cause, [agent.leg]);
      return;
    }
    if (agent.leg.state === "ended") {
      await fail("agent-hung-up", [citizen.leg]);
      return;
    }
    const at = Date.now();
    records.update({ agentId: r.agentId, answeredAt: at });
    records.event("answered", at, {}, r.agentId);
    const conversation = new Conversation(citizen.leg, {
      switch: d.switch,
      runtime: d.runtime,
      records,
      log,
      hotlineNumber: d.hotlineNumber,
      recordingsDir: d.recordingsDir,
      callId,
      data: { ...(r.data ?? {}) },
      queueId: acd.queuesOf(r.agentId)[0] ?? "",
      onChange: d.onCallChange,
    });
    onConversation(conversation);
    await conversation.connect(r.agentId, agent.leg, r.taskId);
    const end = await conversation.done;
    await citizen.leg.hangup("normal").catch(() => undefined);
    records.update({ endedAt: Date.now(), outcome: "completed", endCause: `${end.endedBy}-hangup` });
    await restore();
    await records.flush();
  })().catch((err: unknown) => log.error({ err }, "outbound call failed"));
  return { callId, done };
}
