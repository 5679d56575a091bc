import { defaultFlow } from "@hotline12345/ivr-flows";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "../../test/app.js";
import { storeKinds } from "../../test/stores.js";
import { FlowDirectory } from "../flows/directory.js";

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe.each(storeKinds)("flows API on $name", (kind) => {
  let t: TestApp;
  let admin: string;
  let supervisor: string;
  let agent: string;
  beforeAll(async () => {
    t = await openTestApp(kind);
    admin = await t.login("9001");
    supervisor = await t.login("2001");
    agent = await t.login("1001");
  });
  afterAll(async () => {
    await t.dispose();
  });
  const as = (token: string, method: "GET" | "POST" | "PATCH", url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
  const versionCount = async (flowId: string) =>
    (await t.store.db.selectFrom("flow_versions").select("version").where("flow_id", "=", flowId).execute())
      .length;

  it("seeds the default 12345 flow as version 1, published, and the call lookup finds it", async () => {
    const list = (await as(admin, "GET", "/api/flows")).json() as Json[];
    expect(list).toEqual([
      expect.objectContaining({
        id: "hotline-12345",
        numbers: ["12345"],
        publishedVersion: 1,
        latestVersion: 1,
        publishedBy: "system",
      }),
    ]);
    const v1 = (await as(admin, "GET", "/api/flows/hotline-12345/versions/1")).json() as Json;
    expect(v1.definition).toEqual(clone(defaultFlow));
    const flow = await new FlowDirectory(t.store).forNumber("12345");
    expect(flow.id).toBe("hotline-12345");
    expect(flow.version).toBe(1);
  });

  it("refuses agents and supervisors", async () => {
    for (const token of [agent, supervisor]) {
      for (const [method, url] of [
        ["GET", "/api/flows"],
        ["GET", "/api/flows/hotline-12345"],
        ["POST", "/api/flows/hotline-12345/publish"],
      ] as const) {
        const res = await as(token, method, url, method === "POST" ? { version: 1 } : undefined);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().code).toBe("HOTLINE_ERR_FORBIDDEN");
      }
    }
  });

  it("adds a version, publishes it, rolls back to version 1, and audits each step", async () => {
    const changed = clone(defaultFlow) as Json & { nodes: Record<string, Json> };
    (changed.nodes.greeting as Json).timeoutMs = 3000;
    const added = await as(admin, "POST", "/api/flows/hotline-12345/versions", {
      definition: { ...changed, version: 99, id: "something-else" },
      comment: "longer greeting timeout",
    });
    expect(added.statusCode).toBe(201);
    // id and version are the server's: the document cannot claim another flow or number.
    expect(added.json()).toMatchObject({
      flowId: "hotline-12345",
      version: 2,
      createdBy: "9001",
      comment: "longer greeting timeout",
      warnings: [],
      definition: { id: "hotline-12345", version: 2 },
    });

    const lookup = new FlowDirectory(t.store, { cacheMs: 0 });
    expect((await lookup.forNumber("12345")).version).toBe(1); // added, not yet published

    const published = await as(admin, "POST", "/api/flows/hotline-12345/publish", { version: 2 });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ publishedVersion: 2, latestVersion: 2, publishedBy: "9001" });
    const running = await lookup.forNumber("12345");
    expect(running.version).toBe(2);
    expect((running.nodes.greeting as { timeoutMs: number }).timeoutMs).toBe(3000);

    const back = await as(admin, "POST", "/api/flows/hotline-12345/publish", { version: 1 });
    expect(back.json()).toMatchObject({ publishedVersion: 1, latestVersion: 2 });
    expect((await lookup.forNumber("12345")).version).toBe(1);

    const detail = (await as(admin, "GET", "/api/flows/hotline-12345")).json() as {
      versions: Array<{ version: number }>;
    };
    expect(detail.versions.map((v) => v.version)).toEqual([2, 1]);

    const audit = await t.store.db
      .selectFrom("audit_log")
      .select(["actor", "action"])
      .where("entity", "=", "flow")
      .where("actor", "=", "9001")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["add-version", "publish", "rollback"]);
  });

  it("refuses an invalid version naming the bad node, and stores nothing", async () => {
    const before = await versionCount("hotline-12345");
    const cases: Array<{ mutate: (f: Json & { nodes: Record<string, Json> }) => void; path: string }> = [
      {
        mutate: (f) => ((f.nodes.greeting as { keys: Json }).keys = { 2: "nowhere" }),
        path: "nodes.greeting.keys.2",
      },
      { mutate: (f) => (f.nodes.blacklisted = { verb: "shout" }), path: "nodes.blacklisted.verb" },
      { mutate: (f) => ((f.nodes.general as Json).queue = "no-such-queue"), path: "nodes.general.queue" },
      {
        mutate: (f) => ((f.nodes.blacklisted as Json).prompts = ["not-recorded"]),
        path: "nodes.blacklisted",
      },
      { mutate: (f) => (f.start = "missing"), path: "start" },
    ];
    for (const c of cases) {
      const doc = clone(defaultFlow) as Json & { nodes: Record<string, Json> };
      c.mutate(doc);
      const res = await as(admin, "POST", "/api/flows/hotline-12345/versions", { definition: doc });
      expect(res.statusCode, c.path).toBe(400);
      const body = res.json() as {
        code: string;
        message: string;
        details: { errors: Array<{ path: string }> };
      };
      expect(body.code).toBe("HOTLINE_ERR_FLOW_INVALID");
      expect(body.details.errors.map((e) => e.path)).toContain(c.path);
      expect(body.message).toContain(c.path);
    }
    const notJson = await as(admin, "POST", "/api/flows/hotline-12345/versions", { definition: [1, 2] });
    expect(notJson.statusCode).toBe(400);
    expect(await versionCount("hotline-12345")).toBe(before);
  });

  it("validates without storing: errors, and warnings for unreachable nodes", async () => {
    const doc = clone(defaultFlow) as Json & { nodes: Record<string, Json> };
    doc.nodes.orphan = { verb: "hangup" };
    const ok = await as(admin, "POST", "/api/flows/validate", { definition: doc });
    expect(ok.json()).toEqual({
      valid: true,
      errors: [],
      warnings: [{ path: "nodes.orphan", message: expect.stringContaining("unreachable") }],
    });
    (doc.nodes.orphan as Json).cause = "loud";
    const bad = (await as(admin, "POST", "/api/flows/validate", { definition: doc })).json() as {
      valid: boolean;
      errors: Array<{ path: string }>;
    };
    expect(bad.valid).toBe(false);
    expect(bad.errors[0]?.path).toBe("nodes.orphan.cause");
  });

  it("creates a flow for another number, keeps one flow per number, 404s what does not exist", async () => {
    const created = await as(admin, "POST", "/api/flows", {
      id: "night",
      name: "夜间",
      numbers: ["12346"],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: "night",
      publishedVersion: null,
      latestVersion: null,
      versions: [],
    });
    // No published version yet: the number falls back to the built-in flow.
    const lookup = new FlowDirectory(t.store, { cacheMs: 0 });
    expect((await lookup.forNumber("12346")).id).toBe("hotline-12345");
    expect((await lookup.forNumber("99999")).id).toBe("hotline-12345");

    const dup = await as(admin, "POST", "/api/flows", { id: "night", name: "again" });
    expect(dup.statusCode).toBe(409);
    const taken = await as(admin, "PATCH", "/api/flows/night", { numbers: ["12346", "12345"] });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe("HOTLINE_ERR_FLOW_NUMBER_TAKEN");
    expect((await as(admin, "GET", "/api/flows/night")).json().numbers).toEqual(["12346"]);

    const v = await as(admin, "POST", "/api/flows/night/versions", {
      definition: { ...clone(defaultFlow), name: "night flow" },
    });
    expect(v.json().version).toBe(1);
    await as(admin, "POST", "/api/flows/night/publish", { version: 1 });
    const night = await lookup.forNumber("12346");
    expect([night.id, night.name]).toEqual(["night", "night flow"]);

    expect((await as(admin, "POST", "/api/flows/night/publish", { version: 7 })).statusCode).toBe(404);
    expect((await as(admin, "GET", "/api/flows/night/versions/7")).statusCode).toBe(404);
    expect((await as(admin, "GET", "/api/flows/nope")).statusCode).toBe(404);
    expect(
      (await as(admin, "POST", "/api/flows/nope/versions", { definition: clone(defaultFlow) })).statusCode,
    ).toBe(404);
    const badId = await as(admin, "POST", "/api/flows", { id: "Bad Id", name: "x" });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().code).toBe("HOTLINE_ERR_VALIDATION");
  });

  it("keeps versions immutable in the database itself", async () => {
    await expect(
      t.store.db
        .updateTable("flow_versions")
        .set({ created_by: "someone" } as never)
        .where("flow_id", "=", "hotline-12345")
        .execute(),
    ).rejects.toThrow(/immutable/);
  });
});
