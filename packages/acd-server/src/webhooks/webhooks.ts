import { createHmac, randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Store } from "../store/store.js";

/** Events the 12345 business system can subscribe to. */
export const webhookEvents = [
  "call.offered",
  "call.answered",
  "call.ended",
  "survey.completed",
  "trunk.alarm",
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/** The body of every delivery; `id` is the same on each retry, so receivers can drop repeats. */
export interface WebhookPayload<T = unknown> {
  id: string;
  event: WebhookEvent;
  at: string;
  data: T;
}

export interface WebhooksOptions {
  store: Store;
  log: Logger;
  /** Tries per delivery before it is logged as failed (default 5). */
  maxAttempts?: number;
  /** Wait before the first retry; doubled each time (default 1000 ms: 1 s, 2 s, 4 s …). */
  backoffMs?: number;
  /** A receiver that has not answered in this long is a failed try (default 5000 ms). */
  timeoutMs?: number;
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with the subscription's secret. */
export function signature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

interface Subscription {
  id: string;
  url: string;
  secret: string;
}

/**
 * Signed, retried webhook deliveries. `emit` returns at once: subscriptions are looked up and
 * posted in the background, each retried with exponential backoff, and the outcome (delivered or
 * failed, with tries and the last status) goes to `webhook_deliveries` and the log. `close()`
 * stops pending retries and waits for requests in flight.
 */
export class Webhooks {
  readonly #o: Required<Omit<WebhooksOptions, "store" | "log">> & Pick<WebhooksOptions, "store" | "log">;
  readonly #pending = new Set<Promise<void>>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  readonly #abort = new AbortController();
  #closed = false;

  constructor(o: WebhooksOptions) {
    this.#o = { maxAttempts: 5, backoffMs: 1000, timeoutMs: 5000, ...o };
  }

  emit(event: WebhookEvent, data: unknown): void {
    if (this.#closed) return;
    const at = new Date().toISOString();
    this.#track(
      (async () => {
        let subs: Subscription[];
        try {
          subs = await this.#o.store.db
            .selectFrom("webhooks")
            .select(["id", "url", "secret"])
            .where("enabled", "=", true)
            .where(sql<boolean>`${event} = any(events)`)
            .execute();
        } catch (err) {
          this.#o.log.error({ err, event }, "webhook subscriptions could not be read; event not delivered");
          return;
        }
        await Promise.all(subs.map((s) => this.#deliver(s, { id: randomUUID(), event, at, data })));
      })(),
    );
  }

  #track(p: Promise<void>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  async #deliver(sub: Subscription, payload: WebhookPayload): Promise<void> {
    const body = JSON.stringify(payload);
    const headers = {
      "content-type": "application/json",
      "x-hotline-event": payload.event,
      "x-hotline-signature": signature(sub.secret, body),
      "x-hotline-delivery": payload.id,
    };
    let attempts = 0;
    let lastStatus: number | null = null;
    let lastError: string | null = null;
    while (attempts < this.#o.maxAttempts && !this.#closed) {
      if (attempts > 0) await this.#sleep(this.#o.backoffMs * 2 ** (attempts - 1));
      if (this.#closed) break;
      attempts += 1;
      try {
        const res = await fetch(sub.url, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.#o.timeoutMs), this.#abort.signal]),
          redirect: "manual",
        });
        lastStatus = res.status;
        lastError = null;
        await res.body?.cancel().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) {
          await this.#record(sub, payload, attempts, "delivered", lastStatus, null);
          return;
        }
      } catch (err) {
        lastStatus = null;
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    this.#o.log.warn(
      {
        webhook: sub.id,
        url: sub.url,
        event: payload.event,
        delivery: payload.id,
        attempts,
        lastStatus,
        lastError,
      },
      this.#closed && attempts < this.#o.maxAttempts
        ? "webhook delivery abandoned at shutdown"
        : "webhook delivery failed",
    );
    await this.#record(sub, payload, attempts, "failed", lastStatus, lastError);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#timers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#timers.add(entry);
    });
  }

  async #record(
    sub: Subscription,
    payload: WebhookPayload,
    attempts: number,
    outcome: "delivered" | "failed",
    lastStatus: number | null,
    lastError: string | null,
  ): Promise<void> {
    try {
      await this.#o.store.db
        .insertInto("webhook_deliveries")
        .values({
          webhook_id: sub.id,
          delivery_id: payload.id,
          event: payload.event,
          attempts,
          outcome,
          last_status: lastStatus,
          last_error: lastError,
        })
        .execute();
    } catch (err) {
      // The subscription may have been deleted meanwhile; the log line still says what happened.
      this.#o.log.debug({ err, webhook: sub.id }, "webhook delivery not recorded");
    }
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const t of this.#timers) {
        clearTimeout(t.timer);
        t.wake();
      }
      this.#timers.clear();
      this.#abort.abort();
    }
    await this.idle();
  }
}
