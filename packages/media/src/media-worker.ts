import { parentPort, workerData } from "node:worker_threads";
import { MediaError, MediaErrorCode } from "./errors.js";
import type { WorkerInit, WorkerNotification, WorkerRequest, WorkerResponse } from "./protocol.js";
import { WorkerCore } from "./worker-core.js";

// Entry point of a media worker thread: the packet path runs here, off the
// main thread's event loop (signalling, API).
const port = parentPort;
if (!port) throw new Error("media-worker must run in a worker thread");
const core = new WorkerCore(workerData as WorkerInit, (n: WorkerNotification) => port.postMessage(n));

port.on("message", (req: WorkerRequest) => {
  core.handle(req.method, req.params as never).then(
    (result) => port.postMessage({ id: req.id, ok: true, result } satisfies WorkerResponse),
    (err: unknown) => {
      const e =
        err instanceof MediaError
          ? err
          : new MediaError(MediaErrorCode.Worker, err instanceof Error ? err.message : String(err));
      port.postMessage({
        id: req.id,
        ok: false,
        error: { code: e.code, message: e.message },
      } satisfies WorkerResponse);
    },
  );
});
