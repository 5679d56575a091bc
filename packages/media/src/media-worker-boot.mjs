// Worker bootstrap used when the engine runs from TypeScript sources (tsx, vitest):
// loader hooks of the main thread do not reach worker threads, so register tsx
// here, then load the real worker module.
import { register } from "tsx/esm/api";

register();
await import(new URL("./media-worker.ts", import.meta.url).href);
