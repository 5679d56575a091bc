import type { Logger } from "pino";
import type { Store } from "../store/store.js";

/**
 * Writes a call's record and its events. Writes are chained per call so they land in order,
 * and a failed write is logged, never thrown into the call: a database hiccup must not drop a
 * caller.
 */
export class CallRecords {
  #chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    readonly callId: string,
  ) {}

  #write(what: string, fn: () => Promise<unknown>): void {
    this.#chain = this.#chain
      .then(fn)
      .catch((err: unknown) => this.log.error({ err, callId: this.callId, what }, "call record not written"));
  }

  open(row: {
    direction: "inbound" | "outbound";
    caller: string;
    dialled: string;
    origin: string;
    media: string;
    at: number;
  }): void {
    this.#write("open", () =>
      this.store.db
        .insertInto("calls")
        .values({
          id: this.callId,
          direction: row.direction,
          caller: row.caller,
          dialled: row.dialled,
          origin: row.origin,
          media: row.media,
          queue_id: null,
          agent_id: null,
          started_at: new Date(row.at),
          outcome: null,
          end_cause: null,
        })
        .execute(),
    );
    this.event("offered", row.at, {});
  }

  event(kind: string, at: number, data: Record<string, unknown>, agentId?: string): void {
    this.#write(kind, () =>
      this.store.db
        .insertInto("call_events")
        .values({
          call_id: this.callId,
          at: new Date(at),
          kind,
          agent_id: agentId ?? null,
          data: JSON.stringify(data),
        })
        .execute(),
    );
  }

  update(set: {
    queueId?: string;
    agentId?: string;
    answeredAt?: number;
    endedAt?: number;
    outcome?: string;
    endCause?: string;
    ivrPath?: unknown;
    attached?: Record<string, unknown>;
  }): void {
    this.#write("update", () =>
      this.store.db
        .updateTable("calls")
        .set({
          ...(set.queueId !== undefined ? { queue_id: set.queueId } : {}),
          ...(set.agentId !== undefined ? { agent_id: set.agentId } : {}),
          ...(set.answeredAt !== undefined ? { answered_at: new Date(set.answeredAt) } : {}),
          ...(set.endedAt !== undefined ? { ended_at: new Date(set.endedAt) } : {}),
          ...(set.outcome !== undefined ? { outcome: set.outcome } : {}),
          ...(set.endCause !== undefined ? { end_cause: set.endCause } : {}),
          ...(set.ivrPath !== undefined ? { ivr_path: JSON.stringify(set.ivrPath) } : {}),
          ...(set.attached !== undefined ? { attached: JSON.stringify(set.attached) } : {}),
        })
        .where("id", "=", this.callId)
        .execute(),
    );
  }

  survey(rating: number, agentId: string | undefined, at: number): void {
    this.#write("survey", () =>
      this.store.db
        .insertInto("surveys")
        .values({ call_id: this.callId, agent_id: agentId ?? null, rating, at: new Date(at) })
        .onConflict((oc) => oc.column("call_id").doNothing())
        .execute(),
    );
    this.event("surveyed", at, { rating }, agentId);
  }

  recording(r: { id: string; path: string; agentId: string; at: number }): void {
    this.#write("recording", () =>
      this.store.db
        .insertInto("recordings")
        .values({
          id: r.id,
          call_id: this.callId,
          path: r.path,
          agent_id: r.agentId,
          started_at: new Date(r.at),
          seconds: null,
          parties: JSON.stringify(["caller", r.agentId]),
        })
        .execute(),
    );
  }

  recordingDone(id: string, seconds: number): void {
    this.#write("recording-done", () =>
      this.store.db.updateTable("recordings").set({ seconds }).where("id", "=", id).execute(),
    );
  }

  /** Resolves when every write so far has landed. */
  flush(): Promise<unknown> {
    return this.#chain;
  }
}
