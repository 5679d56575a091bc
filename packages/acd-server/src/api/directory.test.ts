import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "../../test/app.js";
import { storeKinds } from "../../test/stores.js";

describe.each(storeKinds)("admin API on $name", (kind) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await openTestApp(kind);
    admin = await t.login("9001");
  });
  afterAll(async () => {
    await t.dispose();
  });
  const call = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  it("lists the demo queues with their skills and members", async () => {
    const res = await call("GET", "/api/queues");
    expect(res.statusCode).toBe(200);
    const queues = res.json() as Array<{ id: string; members: string[]; skills: unknown[] }>;
    expect(queues.map((q) => q.id)).toEqual(["english", "general", "sign-language"]);
    expect(queues.find((q) => q.id === "english")).toMatchObject({
      members: ["1004"],
      skills: [{ skillId: "english", minLevel: 1 }],
    });
  });

  it("creates an agent, who can then log in, and audits it with the admin's name", async () => {
    const res = await call("POST", "/api/users", {
      id: "1005",
      displayName: "陈静",
      role: "agent",
      password: "a-good-password",
      languages: ["zh"],
      skills: [{ skillId: "mandarin", level: 6 }],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty("password");
    expect(await t.login("1005", "a-good-password")).toBeTruthy();
    const audit = (await call("GET", "/api/audit?entity=user&entityId=1005")).json();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: "9001",
      action: "create",
      before: null,
      after: { id: "1005", displayName: "陈静" },
    });
  });

  it("refuses a bad request with a 4xx and a stable code, and changes nothing", async () => {
    const before = (await call("GET", "/api/queues/general")).json();
    const auditBefore = (await call("GET", "/api/audit?limit=500")).json().length;
    const cases: Array<[string, string, unknown, number, string]> = [
      ["PATCH", "/api/queues/general", { ringTimeoutSeconds: 1 }, 400, "HOTLINE_ERR_VALIDATION"],
      ["PATCH", "/api/queues/general", { name: "x", unknownField: 1 }, 400, "HOTLINE_ERR_VALIDATION"],
      [
        "PATCH",
        "/api/queues/general",
        { skills: [{ skillId: "no-such-skill", minLevel: 1 }] },
        400,
        "HOTLINE_ERR_VALIDATION",
      ],
      ["PATCH", "/api/queues/nope", { name: "x" }, 404, "HOTLINE_ERR_NOT_FOUND"],
      ["POST", "/api/queues", { id: "general", name: "dup" }, 409, "HOTLINE_ERR_CONFLICT"],
      ["POST", "/api/queues", { id: "Bad Id", name: "x" }, 400, "HOTLINE_ERR_VALIDATION"],
      [
        "POST",
        "/api/users",
        { id: "1006", displayName: "x", role: "root", password: "long-enough" },
        400,
        "HOTLINE_ERR_VALIDATION",
      ],
      [
        "POST",
        "/api/users",
        { id: "1006", displayName: "x", role: "agent", password: "short" },
        400,
        "HOTLINE_ERR_VALIDATION",
      ],
      [
        "POST",
        "/api/lists",
        { list: "black", pattern: "139x", action: "reject" },
        400,
        "HOTLINE_ERR_VALIDATION",
      ],
      ["POST", "/api/lists", { list: "black", pattern: "139" }, 400, "HOTLINE_ERR_VALIDATION"],
      [
        "PUT",
        "/api/calendars/english",
        { name: "x", timeZone: "Asia/Shanghai", weekly: {}, days: [] },
        400,
        "HOTLINE_ERR_VALIDATION",
      ],
      ["GET", "/api/lists?list=grey", undefined, 400, "HOTLINE_ERR_VALIDATION"],
      ["GET", "/api/no-such-route", undefined, 404, "HOTLINE_ERR_NOT_FOUND"],
    ];
    for (const [method, url, payload, status, code] of cases) {
      const res = await call(method as "GET", url, payload);
      expect({ url, payload, status: res.statusCode, code: res.json().code }).toEqual({
        url,
        payload,
        status,
        code,
      });
      expect(typeof res.json().message).toBe("string");
    }
    expect((await call("GET", "/api/queues/general")).json()).toEqual(before);
    expect((await call("GET", "/api/audit?limit=500")).json().length).toBe(auditBefore);
  });

  it("refuses malformed JSON with a 400", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/lists",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("HOTLINE_ERR_VALIDATION");
  });

  it("updates a queue and records before and after", async () => {
    const res = await call("PATCH", "/api/queues/english", {
      ringTimeoutSeconds: 25,
      members: ["1004", "1001"],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ringTimeoutSeconds: 25, members: ["1001", "1004"] });
    const [entry] = (await call("GET", "/api/audit?entity=queue&entityId=english&limit=1")).json();
    expect(entry).toMatchObject({
      action: "update",
      before: { ringTimeoutSeconds: 20 },
      after: { ringTimeoutSeconds: 25 },
    });
  });

  it("seeds the service calendars with the official holidays and adjusted working days", async () => {
    const cal = (await call("GET", "/api/calendars/english")).json();
    expect(cal.days).toContainEqual({ day: "2026-02-17", kind: "holiday", name: "春节" });
    expect(cal.days).toContainEqual({ day: "2026-02-28", kind: "workday", name: "春节调休" });
    expect(cal.weekly.sat).toEqual([]);
  });

  it("edits the black list and the calendar", async () => {
    const added = await call("POST", "/api/lists", {
      list: "black",
      pattern: "170",
      match: "prefix",
      action: "reject",
      reason: "fraud range",
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ addedBy: "9001", match: "prefix" });
    expect((await call("DELETE", `/api/lists/${added.json().id}`)).statusCode).toBe(204);
    const cal = (await call("GET", "/api/calendars/english")).json();
    const put = await call("PUT", "/api/calendars/english", {
      name: cal.name,
      timeZone: cal.timeZone,
      weekly: cal.weekly,
      days: [{ day: "2026-10-01", kind: "holiday", name: "国庆节" }],
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().days).toEqual([{ day: "2026-10-01", kind: "holiday", name: "国庆节" }]);
  });
});

describe("ops endpoints", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(storeKinds[0]!);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it("serves liveness, readiness, metrics and the OpenAPI document without a token", async () => {
    expect((await t.app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.app.inject({ url: "/readyz" })).json()).toEqual({ status: "ready", store: "pglite" });
    await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { userId: "1001", password: "wrong" },
    });
    const metrics = (await t.app.inject({ url: "/metrics" })).body;
    expect(metrics).toContain('hotline_login_failures_total{reason="bad-credentials"} 1');
    expect(metrics).toContain("hotline_http_requests_total");
    const spec = (await t.app.inject({ url: "/docs/json" })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/api/auth/login", "/api/queues/{id}", "/api/lists"]),
    );
    const page = await t.app.inject({ url: "/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("swagger");
  });
});
