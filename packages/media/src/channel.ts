import type { TransferListItem, Worker } from "node:worker_threads";
import { MediaError, MediaErrorCode } from "./errors.js";
import type {
  WorkerApi,
  WorkerMethod,
  WorkerNotification,
  WorkerRequest,
  WorkerResponse,
} from "./protocol.js";

/**
 * Request/response over a worker's message port, after mediasoup's Channel.ts:
 * each request carries an id, answers are matched through a pending map, a
 * request that gets no answer times out, and on close (or worker death) every
 * pending request is rejected so no caller waits forever.
 */
export class Channel {
  #nextId = 1;
  #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; method: string }
  >();
  #closed = false;

  constructor(
    private readonly worker: Worker,
    private readonly onNotification: (n: WorkerNotification) => void,
    private readonly timeoutMs = 10_000,
  ) {
    worker.on("message", (msg: WorkerResponse | WorkerNotification) => {
      if ("event" in msg) {
        this.onNotification(msg);
        return;
      }
      const p = this.#pending.get(msg.id);
      if (!p) return; // answered after a timeout
      this.#pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new MediaError(msg.error.code, msg.error.message));
    });
    worker.on("error", (err) => this.close(`worker error: ${err.message}`));
    worker.on("exit", (code) => this.close(`worker exited with code ${code}`));
  }

  get pending(): number {
    return this.#pending.size;
  }

  request<M extends WorkerMethod>(
    method: M,
    params: WorkerApi[M]["params"],
    timeoutMs = this.timeoutMs,
    transfer: readonly TransferListItem[] = [],
  ): Promise<WorkerApi[M]["result"]> {
    if (this.#closed)
      return Promise.reject(new MediaError(MediaErrorCode.Closed, `channel closed (${method})`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new MediaError(MediaErrorCode.Worker, `worker did not answer ${method} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      this.worker.postMessage({ id, method, params } as WorkerRequest, transfer);
    });
  }

  /** Rejects everything pending; idempotent. */
  close(why = "channel closed"): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new MediaError(MediaErrorCode.Closed, `${why} (pending ${p.method})`));
    }
    this.#pending.clear();
  }
}
