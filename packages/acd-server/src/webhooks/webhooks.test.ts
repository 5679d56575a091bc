import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeKinds } from "../../test/stores.js";
import type { Store } from "../store/store.js";
import { signature, Webhooks } from "./webhooks.js";

interface Hit {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

/** A local receiver that answers each request with the next status of `statuses` (then 204). */
async function receiver(statuses: number[]): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hits.push({ headers: req.headers, raw: Buffer.concat(chunks).toString() });
      res.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits, server };
}

describe.each(storeKinds)("webhook deliveries on $name", (kind) => {
  let store: Store & { dispose(): Promise<void> };
  const servers: Server[] = [];
  beforeAll(async () => {
    store = await kind.open();
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await store.dispose();
  });
  const subscribe = (id: string, url: string, events: string[]) =>
    store.db
      .insertInto("webhooks")
      .values({ id, url, secret: `secret-of-${id}`, events })
      .execute();
  const deliveries = (id: string) =>
    store.db.selectFrom("webhook_deliveries").selectAll().where("webhook_id", "=", id).execute();

  it("signs the body, retries with the same id after a failure, records the outcome", async () => {
    const r = await receiver([500, 502]);
    servers.push(r.server);
    await subscribe("a", r.url, ["call.ended"]);
    await subscribe("other", r.url, ["call.offered"]);
    const hooks = new Webhooks({ store, log: pino({ level: "silent" }), backoffMs: 20 });
    hooks.emit("call.ended", { callId: "c1", reason: "hangup" });
    await hooks.idle();
    expect(r.hits).toHaveLength(3); // only subscription a: 500, 502, then 204
    const ids = r.hits.map((h) => JSON.parse(h.raw).id as string);
    expect(new Set(ids).size).toBe(1);
    for (const h of r.hits) {
      expect(h.headers["x-hotline-signature"]).toBe(signature("secret-of-a", h.raw));
      expect(h.headers["x-hotline-delivery"]).toBe(ids[0]);
      expect(h.headers["x-hotline-event"]).toBe("call.ended");
    }
    expect(JSON.parse(r.hits[0]?.raw ?? "{}")).toMatchObject({
      event: "call.ended",
      data: { callId: "c1", reason: "hangup" },
    });
    expect(await deliveries("a")).toMatchObject([
      { delivery_id: ids[0], event: "call.ended", attempts: 3, outcome: "delivered", last_status: 204 },
    ]);
    expect(await deliveries("other")).toEqual([]);
    await hooks.close();
  });

  it("gives up after the last try and records the failure; a closed emitter sends nothing", async () => {
    const r = await receiver([503, 503, 503]);
    servers.push(r.server);
    await subscribe("b", r.url, ["survey.completed"]);
    await subscribe("gone", "http://127.0.0.1:9/", ["survey.completed"]);
    const hooks = new Webhooks({ store, log: pino({ level: "silent" }), backoffMs: 10, maxAttempts: 3 });
    hooks.emit("survey.completed", { callId: "c2", rating: 1 });
    await hooks.idle();
    expect(r.hits).toHaveLength(3);
    expect(await deliveries("b")).toMatchObject([{ attempts: 3, outcome: "failed", last_status: 503 }]);
    const [gone] = await deliveries("gone");
    expect(gone).toMatchObject({ attempts: 3, outcome: "failed", last_status: null });
    expect(gone?.last_error).toBeTruthy();
    await hooks.close();
    hooks.emit("survey.completed", { callId: "c3", rating: 2 });
    await hooks.idle();
    expect(r.hits).toHaveLength(3);
  });

  it("abandons retries at close, recording them as failed", async () => {
    const r = await receiver([500]);
    servers.push(r.server);
    await subscribe("c", r.url, ["call.answered"]);
    const hooks = new Webhooks({ store, log: pino({ level: "silent" }), backoffMs: 60_000 });
    hooks.emit("call.answered", { callId: "c4" });
    const deadline = Date.now() + 5000;
    while (r.hits.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    await hooks.close(); // would otherwise wait a minute for the retry
    expect(await deliveries("c")).toMatchObject([{ attempts: 1, outcome: "failed", last_status: 500 }]);
  });
});
