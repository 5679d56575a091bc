import { defaultFlow } from "@hotline12345/ivr-flows";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { storeKinds } from "../../test/stores.js";
import { seedDemoData } from "../demo/seed.js";
import type { Store } from "../store/store.js";
import { FlowDirectory } from "./directory.js";

const admin = { userId: "9001" };

describe.each(storeKinds)("FlowDirectory on $name", (kind) => {
  let store: Store & { dispose(): Promise<void> };
  let clock: { now: number };
  let flows: FlowDirectory;
  beforeEach(async () => {
    store = await kind.open();
    await seedDemoData(store, pino({ level: "silent" }));
    clock = { now: 1_000_000 };
    flows = new FlowDirectory(store, { now: () => clock.now, cacheMs: 30_000 });
    await flows.repository.addVersion(
      "hotline-12345",
      { ...defaultFlow, name: "version two" },
      "renamed",
      admin,
    );
  });
  afterEach(async () => {
    await store.dispose();
  });

  it("caches the published flow until a publish on this node, which new calls see at once", async () => {
    const first = await flows.forNumber("12345");
    expect(first.version).toBe(1);
    expect(await flows.forNumber("12345")).toBe(first); // cached: same parsed object

    await flows.publish("hotline-12345", 2, admin);
    expect((await flows.forNumber("12345")).name).toBe("version two");

    await flows.publish("hotline-12345", 1, admin); // rollback
    expect((await flows.forNumber("12345")).version).toBe(1);
  });

  it("sees a publish made elsewhere (another node) once the cache time has passed", async () => {
    expect((await flows.forNumber("12345")).version).toBe(1);
    await flows.repository.publish("hotline-12345", 2, admin); // not through this directory
    clock.now += 29_000;
    expect((await flows.forNumber("12345")).version).toBe(1);
    clock.now += 2_000;
    expect((await flows.forNumber("12345")).version).toBe(2);
  });

  it("falls back to the built-in flow when no flow answers the number", async () => {
    const flow = await flows.forNumber("96110");
    expect(flow).toBe(flows.builtin);
    expect(flow.id).toBe(defaultFlow.id);
  });

  it("keeps answering with the last known flow when the database fails", async () => {
    await flows.publish("hotline-12345", 2, admin);
    expect((await flows.forNumber("12345")).name).toBe("version two");
    await store.close();
    clock.now += 60_000;
    expect((await flows.forNumber("12345")).name).toBe("version two");
    expect(await flows.forNumber("12399")).toBe(flows.builtin);
  });
});
