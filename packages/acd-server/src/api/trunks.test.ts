import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "../../test/app.js";
import { storeKinds } from "../../test/stores.js";

type Json = Record<string, unknown>;

describe.each(storeKinds)("trunks, alarms and webhooks API on $name", (kind) => {
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
  const as = (token: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  it("creates a trunk with defaults, never shows its password, audits without it", async () => {
    const res = await as(admin, "POST", "/api/trunks", {
      id: "carrier-a",
      name: "Carrier A",
      host: "198.51.100.7",
      username: "hotline",
      password: "s3cret-carrier",
      prefixes: ["0", "1"],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: "carrier-a",
      name: "Carrier A",
      host: "198.51.100.7",
      port: 5060,
      transport: "udp",
      username: "hotline",
      hasPassword: true,
      inboundAddresses: [],
      prefixes: ["0", "1"],
      channelLimit: 30,
      enabled: true,
      optionsIntervalSeconds: 30,
      status: null,
    });
    expect((await as(supervisor, "GET", "/api/trunks")).body).not.toContain("s3cret");
    const audit = await t.store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "trunk")
      .where("entity_id", "=", "carrier-a")
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain("s3cret");
  });

  it("refuses what is not valid, duplicates, and roles that may not", async () => {
    const bad = async (body: Json) => (await as(admin, "POST", "/api/trunks", body)).json() as Json;
    const base = { id: "x1", name: "X", host: "gw.example.net" };
    expect(await bad({ ...base, host: "sip:gw.example.net" })).toMatchObject({
      code: "HOTLINE_ERR_VALIDATION",
    });
    expect(await bad({ ...base, inboundAddresses: ["not-an-ip"] })).toMatchObject({
      code: "HOTLINE_ERR_VALIDATION",
    });
    expect(await bad({ ...base, prefixes: ["01a"] })).toMatchObject({ code: "HOTLINE_ERR_VALIDATION" });
    expect(await bad({ ...base, username: "only-user" })).toMatchObject({ code: "HOTLINE_ERR_VALIDATION" });
    expect(await bad({ ...base, surprise: 1 })).toMatchObject({ code: "HOTLINE_ERR_VALIDATION" });
    expect(await bad({ ...base, id: "carrier-a" })).toMatchObject({ code: "HOTLINE_ERR_CONFLICT" });
    expect((await as(supervisor, "POST", "/api/trunks", base)).statusCode).toBe(403);
    expect((await as(agent, "GET", "/api/trunks")).statusCode).toBe(403);
    expect((await as(agent, "GET", "/api/alarms")).statusCode).toBe(403);
    expect((await as(admin, "PATCH", "/api/trunks/nope", { enabled: false })).statusCode).toBe(404);
  });

  it("patches, removes credentials as a pair, deletes", async () => {
    const r = await as(admin, "PATCH", "/api/trunks/carrier-a", {
      channelLimit: 2,
      optionsIntervalSeconds: 0,
    });
    expect(r.json()).toMatchObject({ channelLimit: 2, optionsIntervalSeconds: 0, hasPassword: true });
    expect((await as(admin, "PATCH", "/api/trunks/carrier-a", { password: null })).statusCode).toBe(400);
    expect(
      (await as(admin, "PATCH", "/api/trunks/carrier-a", { password: null, username: null })).json(),
    ).toMatchObject({ username: null, hasPassword: false });
    expect((await as(admin, "DELETE", "/api/trunks/carrier-a")).statusCode).toBe(204);
    expect((await as(admin, "GET", "/api/trunks/carrier-a")).statusCode).toBe(404);
  });

  it("lists no alarms when none is active", async () => {
    const r = await as(supervisor, "GET", "/api/alarms");
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([]);
  });

  it("keeps webhook subscriptions for admins only, secrets write-only", async () => {
    const sub = {
      id: "bizsys",
      url: "https://cases.example.gov.cn/hooks",
      secret: "0123456789abcdef-x",
      events: ["call.ended"],
    };
    const r = await as(admin, "POST", "/api/webhooks", sub);
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({
      id: "bizsys",
      url: sub.url,
      events: ["call.ended"],
      enabled: true,
      hasSecret: true,
    });
    expect((await as(admin, "POST", "/api/webhooks", sub)).statusCode).toBe(409);
    expect((await as(admin, "POST", "/api/webhooks", { ...sub, id: "b2", secret: "short" })).statusCode).toBe(
      400,
    );
    expect(
      (await as(admin, "POST", "/api/webhooks", { ...sub, id: "b3", events: ["call.exploded"] })).statusCode,
    ).toBe(400);
    expect(
      (await as(admin, "POST", "/api/webhooks", { ...sub, id: "b4", url: "ftp://x.example" })).statusCode,
    ).toBe(400);
    expect((await as(supervisor, "GET", "/api/webhooks")).statusCode).toBe(403);
    const p = await as(admin, "PATCH", "/api/webhooks/bizsys", {
      secret: "fedcba9876543210-y",
      enabled: false,
    });
    expect(p.json()).toMatchObject({ enabled: false, hasSecret: true });
    const audit = await t.store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity", "=", "webhook")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create", "update+secret"]);
    expect(JSON.stringify(audit)).not.toMatch(/0123456789abcdef|fedcba9876543210/);
    expect((await as(admin, "GET", "/api/webhooks/bizsys/deliveries")).json()).toEqual([]);
    expect((await as(admin, "DELETE", "/api/webhooks/bizsys")).statusCode).toBe(204);
    expect((await as(admin, "GET", "/api/webhooks")).json()).toEqual([]);
  });
});
