import type { NodeOf, VarValue } from "../schema.js";
import { render, renderValues } from "../template.js";
import { STOPPED, scopeOf, Task, type VerbContext, type VerbOutcome } from "./task.js";

function pick(body: unknown, path: string): unknown {
  let cur: unknown = body;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * http: asks an outside system (the 12345 business system) about the caller.
 * A timeout, a network error, a non-2xx status or a non-JSON answer takes the
 * fallback edge: the caller must never wait on a system that is down.
 */
export class HttpVerb extends Task {
  constructor(private readonly node: NodeOf<"http">) {
    super();
  }
  async exec(ctx: VerbContext): Promise<VerbOutcome> {
    const n = this.node;
    const scope = scopeOf(ctx);
    const timeout = new AbortController();
    const timer = ctx.port.clock.setTimer(() => timeout.abort(), n.timeoutMs);
    const signal = AbortSignal.any([this.signal, timeout.signal]);
    try {
      const request = {
        url: render(n.url, scope, encodeURIComponent),
        method: n.method,
        signal,
        ...(n.body ? { body: renderValues(n.body, scope) } : {}),
      };
      // The race makes the timeout hold even against a client that ignores its signal.
      const aborted = new Promise<"aborted">((resolve) => {
        if (signal.aborted) resolve("aborted");
        signal.addEventListener("abort", () => resolve("aborted"), { once: true });
      });
      const res = await Promise.race([ctx.port.http(request), aborted]);
      if (this.signal.aborted) return STOPPED;
      if (res === "aborted" || res.status < 200 || res.status > 299 || res.body === undefined) {
        return { next: n.fallback };
      }
      for (const [name, path] of Object.entries(n.assign)) {
        const v = pick(res.body, path);
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
          ctx.vars.set(name, v as VarValue);
      }
      return { next: n.next };
    } catch {
      return this.signal.aborted ? STOPPED : { next: n.fallback };
    } finally {
      timer.cancel();
    }
  }
}
