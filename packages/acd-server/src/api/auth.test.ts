import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "../../test/app.js";
import { storeKinds } from "../../test/stores.js";

const pglite = storeKinds[0]!;

describe("auth", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp(pglite, { perUser: 3, perAddress: 10, windowSeconds: 60 });
  });
  afterEach(async () => {
    await t.dispose();
  });

  const login = (userId: string, password: string, ip = "10.0.0.1") =>
    t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { userId, password },
      remoteAddress: ip,
    });

  it("logs in with the right password and returns a token pair and the user", async () => {
    const res = await login("1001", "hotline-1001");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      expiresIn: 900,
      user: { userId: "1001", role: "agent", displayName: "张伟" },
    });
    const me = await t.app.inject({
      url: "/api/me",
      headers: { authorization: `Bearer ${body.accessToken}` },
    });
    expect(me.json()).toEqual({ userId: "1001", role: "agent", displayName: "张伟" });
  });

  it("answers a wrong password and an unknown user alike", async () => {
    const wrong = await login("1001", "not-the-password");
    const unknown = await login("7777", "not-the-password");
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().code).toBe("HOTLINE_ERR_BAD_CREDENTIALS");
  });

  it("rate-limits failed logins per user, even with the right password, until the window passes", async () => {
    for (let i = 0; i < 3; i++)
      expect((await login("1002", "wrong", `10.0.0.${i + 10}`)).statusCode).toBe(401);
    const blocked = await login("1002", "hotline-1002", "10.0.0.99");
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe("HOTLINE_ERR_RATE_LIMITED");
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    // Another user from the same address is not blocked by 1002's failures.
    expect((await login("1003", "hotline-1003", "10.0.0.99")).statusCode).toBe(200);
    t.clock.now += 61_000;
    expect((await login("1002", "hotline-1002", "10.0.0.99")).statusCode).toBe(200);
  });

  it("rate-limits failed logins per source address across users", async () => {
    for (let i = 0; i < 10; i++) await login(`u${i}`, "wrong", "10.9.9.9");
    const res = await login("1001", "hotline-1001", "10.9.9.9");
    expect(res.statusCode).toBe(429);
    expect((await login("1001", "hotline-1001", "10.9.9.8")).statusCode).toBe(200);
  });

  it("refuses a missing, forged or expired token", async () => {
    expect((await t.app.inject({ url: "/api/me" })).json().code).toBe("HOTLINE_ERR_UNAUTHENTICATED");
    const forged = await t.app.inject({
      url: "/api/me",
      headers: { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x" },
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe("HOTLINE_ERR_TOKEN_INVALID");
    const token = await t.login("1001");
    t.clock.now += 901_000;
    const expired = await t.app.inject({ url: "/api/me", headers: { authorization: `Bearer ${token}` } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe("HOTLINE_ERR_TOKEN_EXPIRED");
  });

  it("refuses a route to a role it does not name", async () => {
    const agent = await t.login("1001");
    const res = await t.app.inject({ url: "/api/users", headers: { authorization: `Bearer ${agent}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("HOTLINE_ERR_FORBIDDEN");
    const supervisor = await t.login("2001");
    expect(
      (await t.app.inject({ url: "/api/users", headers: { authorization: `Bearer ${supervisor}` } }))
        .statusCode,
    ).toBe(200);
    const create = await t.app.inject({
      method: "POST",
      url: "/api/users",
      headers: { authorization: `Bearer ${supervisor}` },
      payload: { id: "1005", displayName: "x", role: "agent", password: "password-1005" },
    });
    expect(create.statusCode).toBe(403);
  });

  it("rotates refresh tokens and ends every session when a used one comes back", async () => {
    const first = (await login("1001", "hotline-1001")).json();
    const refresh = (token: string) =>
      t.app.inject({ method: "POST", url: "/api/auth/refresh", payload: { refreshToken: token } });
    const second = await refresh(first.refreshToken);
    expect(second.statusCode).toBe(200);
    const secondBody = second.json();
    expect((await refresh(first.refreshToken)).json().code).toBe("HOTLINE_ERR_TOKEN_INVALID");
    // The reuse ended the session the second token belongs to as well.
    expect((await refresh(secondBody.refreshToken)).statusCode).toBe(401);
  });

  it("ends a session at logout", async () => {
    const body = (await login("1004", "hotline-1004")).json();
    const out = await t.app.inject({
      method: "POST",
      url: "/api/auth/logout",
      payload: { refreshToken: body.refreshToken },
    });
    expect(out.statusCode).toBe(204);
    const again = await t.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      payload: { refreshToken: body.refreshToken },
    });
    expect(again.statusCode).toBe(401);
  });

  it("refuses a login body that is not valid, with a field-naming message", async () => {
    const res = await t.app.inject({ method: "POST", url: "/api/auth/login", payload: { userId: "1001" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("HOTLINE_ERR_VALIDATION");
    expect(res.json().message).toContain("password");
  });
});
