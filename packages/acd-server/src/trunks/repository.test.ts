import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeKinds } from "../../test/stores.js";
import { seedLocalTrunk } from "../demo/seed.js";
import type { Store } from "../store/store.js";
import { TrunkRepository } from "./repository.js";

const log = pino({ level: "silent" });

describe.each(storeKinds)("the trunk local on $name", (kind) => {
  let store: Store & { dispose(): Promise<void> };
  beforeAll(async () => {
    store = await kind.open();
  });
  afterAll(async () => {
    await store.dispose();
  });
  const local = () => new TrunkRepository(store).get("local");

  it("is made from the trusted addresses, follows them until an admin edits it, then stays", async () => {
    await seedLocalTrunk(store, ["127.0.0.1"], log);
    expect(await local()).toMatchObject({
      inboundAddresses: ["127.0.0.1"],
      optionsIntervalSeconds: 0,
      channelLimit: 0,
      prefixes: [],
    });
    await seedLocalTrunk(store, ["127.0.0.1", "10.0.0.8"], log);
    expect((await local()).inboundAddresses).toEqual(["127.0.0.1", "10.0.0.8"]);

    await new TrunkRepository(store).update("local", { inboundAddresses: ["10.0.0.9"] }, { userId: "9001" });
    await seedLocalTrunk(store, ["127.0.0.1"], log);
    expect((await local()).inboundAddresses).toEqual(["10.0.0.9"]);

    await new TrunkRepository(store).remove("local", { userId: "9001" });
    await seedLocalTrunk(store, ["127.0.0.1"], log);
    await expect(local()).rejects.toMatchObject({ code: "HOTLINE_ERR_NOT_FOUND" });
  });
});
