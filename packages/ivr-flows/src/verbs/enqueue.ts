import { IvrError, IvrErrorCode } from "../errors.js";
import type { Clock, QueueOutcome, TimerHandle } from "../port.js";
import { sayNumber } from "../say.js";
import type { NodeOf } from "../schema.js";
import { render, renderValues } from "../template.js";
import { language, refs, STOPPED, scopeOf, Task, type VerbContext, type VerbOutcome } from "./task.js";

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      timer.cancel();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = clock.setTimer(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * enqueue: puts the call in a queue and keeps the caller company until an
 * agent answers: music on hold, and every `announce.everyMs` the position and
 * estimated wait. Then it waits, silent, for the conversation to end. The outcome decides the edge: answered and the agent hung
 * up first → `next` (the survey); overflow → `overflow`; callback accepted →
 * `callback`; the caller gone → the flow ends.
 */
export class EnqueueVerb extends Task {
  constructor(private readonly node: NodeOf<"enqueue">) {
    super();
  }

  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const n = this.node;
    const scope = scopeOf(ctx);
    // An unset priority variable renders empty: that is the default priority 0.
    const rendered = typeof n.priority === "number" ? String(n.priority) : render(n.priority, scope).trim();
    const priority = rendered === "" ? 0 : Number(rendered);
    if (!Number.isInteger(priority) || priority < 0 || priority > 100) {
      throw new IvrError(
        IvrErrorCode.BadValue,
        `enqueue: priority ${JSON.stringify(n.priority)} is not 0…100`,
      );
    }
    const { clock } = ctx.port;
    let settled: QueueOutcome | undefined;
    let failed = false;
    let connected = false;
    let hold: AbortController | undefined;
    const outcome = ctx.port.enqueue({
      queue: n.queue,
      priority,
      data: renderValues(n.data, scope),
      callbackAllowed: n.callback !== undefined,
      onAnswered: (agentId) => {
        // The conversation has the caller's audio now: no more music, no announcements.
        connected = true;
        hold?.abort();
        ctx.emit({ type: "queue-answered", agentId });
      },
      signal: this.signal,
    });
    outcome.then(
      (o) => {
        settled = o;
        hold?.abort();
      },
      () => {
        failed = true;
        hold?.abort();
      },
    );

    const announce = n.announce;
    let nextAnnounceAt = announce ? clock.now() + announce.firstAfterMs : Number.POSITIVE_INFINITY;
    while (settled === undefined && !failed && !connected && !this.signal.aborted) {
      hold = new AbortController();
      const signal = AbortSignal.any([this.signal, hold.signal]);
      if (announce && clock.now() >= nextAnnounceAt) {
        nextAnnounceAt = clock.now() + announce.everyMs;
        const status = await ctx.port.queueStatus();
        if (status && settled === undefined && !connected && !signal.aborted) {
          const names = this.announcement(ctx, status.position, status.estimatedWaitSeconds);
          if (names.length > 0) await ctx.port.play(refs(ctx, names), { bargeIn: false, signal });
        }
        continue;
      }
      let timer: TimerHandle | undefined;
      if (announce) {
        const stop = hold;
        timer = clock.setTimer(() => stop.abort(), nextAnnounceAt - clock.now());
      }
      const startedAt = clock.now();
      const played = await ctx.port.play(refs(ctx, [n.holdMusic]), { bargeIn: false, signal });
      timer?.cancel();
      // Music that "ended" at once (missing file, engine without hold music) must not
      // spin this loop: wait quietly until the next announcement or for a second.
      if (
        !played.stopped &&
        clock.now() === startedAt &&
        settled === undefined &&
        !connected &&
        !signal.aborted
      ) {
        await sleep(clock, Math.min(1000, Math.max(0, nextAnnounceAt - clock.now())), signal);
      }
    }

    const o = await outcome;
    if (this.signal.aborted) return STOPPED;
    switch (o.kind) {
      case "answered":
        return o.endedBy === "agent" ? { next: n.next } : { end: "caller-hangup" };
      case "overflow":
        return { next: n.overflow };
      case "callback-accepted":
        if (n.callback === undefined) {
          throw new IvrError(
            IvrErrorCode.Port,
            `enqueue: queue ${n.queue} accepted a callback it may not offer`,
          );
        }
        return { next: n.callback };
      case "abandoned":
        return { end: "caller-hangup" };
      case "stopped":
        return STOPPED;
    }
  }

  private announcement(ctx: VerbContext, position: number, waitSeconds: number): string[] {
    const a = this.node.announce;
    const lang = language(ctx);
    const out: string[] = [];
    if (a?.position && position >= 1) {
      out.push("queue-position-pre", ...sayNumber(position, lang), "queue-position-post");
    }
    if (a?.estimatedWait && waitSeconds > 0) {
      out.push("wait-pre", ...sayNumber(Math.max(1, Math.ceil(waitSeconds / 60)), lang), "wait-minutes");
    }
    return out;
  }
}
