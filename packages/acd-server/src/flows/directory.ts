import { defaultFlow, type Flow, parseFlow } from "@hotline12345/ivr-flows";
import type { Logger } from "pino";
import type { Actor } from "../directory/users.js";
import type { Store } from "../store/store.js";
import { type FlowDetail, FlowRepository } from "./repository.js";

export interface FlowDirectoryOptions {
  log?: Logger | undefined;
  /**
   * How long a looked-up flow is kept. Publishing on this node clears the cache at once; the
   * time bound is for publishes made on another node sharing the database.
   */
  cacheMs?: number | undefined;
  now?: (() => number) | undefined;
}

interface Cached {
  flow: Flow;
  at: number;
}

/**
 * The flow a call runs: the published version of the flow that answers the dialled number,
 * or the built-in 12345 flow when no stored flow does. Call sessions ask once per call, so
 * answers are cached briefly; a failing database never stops a call (last known or built-in).
 */
export class FlowDirectory {
  readonly repository: FlowRepository;
  readonly #cache = new Map<string, Cached>();
  readonly #log: Logger | undefined;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #builtin: Flow | undefined;

  constructor(store: Store, options: FlowDirectoryOptions = {}) {
    this.repository = new FlowRepository(store);
    this.#log = options.log;
    this.#cacheMs = options.cacheMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** The built-in default flow, parsed once (parseFlow marks it so runFlow does not re-validate). */
  get builtin(): Flow {
    this.#builtin ??= parseFlow(defaultFlow);
    return this.#builtin;
  }

  async forNumber(dialled: string): Promise<Flow> {
    const now = this.#now();
    const hit = this.#cache.get(dialled);
    if (hit && now - hit.at < this.#cacheMs) return hit.flow;
    let flow: Flow;
    try {
      const row = await this.repository.publishedFor(dialled);
      flow = row ? this.#parseStored(row.flowId, row.version, row.definition) : this.builtin;
    } catch (err) {
      this.#log?.error({ err, dialled }, "flow lookup failed; using the last known or built-in flow");
      return hit?.flow ?? this.builtin;
    }
    this.#cache.set(dialled, { flow, at: now });
    return flow;
  }

  /** Publishes a version (or rolls back to an older one); new calls get it at once. */
  async publish(id: string, version: number, actor: Actor): Promise<FlowDetail> {
    const detail = await this.repository.publish(id, version, actor);
    this.invalidate();
    return detail;
  }

  /** Numbers may move between flows, so any change to a flow's numbers clears everything. */
  async update(...args: Parameters<FlowRepository["update"]>): Promise<FlowDetail> {
    const detail = await this.repository.update(...args);
    this.invalidate();
    return detail;
  }

  invalidate(): void {
    this.#cache.clear();
  }

  #parseStored(flowId: string, version: number, definition: unknown): Flow {
    try {
      return parseFlow(definition);
    } catch (err) {
      // Stored versions were valid when written; a later schema change could reject one.
      this.#log?.error(
        { err, flowId, version },
        "published flow no longer validates; using the built-in flow",
      );
      return this.builtin;
    }
  }
}
