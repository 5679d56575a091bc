import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestApp, type TestApp } from "../../test/app.js";
import { storeKinds } from "../../test/stores.js";

describe("the softphone pages", () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hotline-web-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>12345</title>");
    writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
    t = await openTestApp(storeKinds[0]!, undefined, dir);
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the app's page at each of its paths, never cached, without a token", async () => {
    for (const path of ["/", "/supervisor", "/wallboard", "/admin"]) {
      const res = await t.app.inject({ url: path });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain("<title>12345</title>");
      expect(res.headers["cache-control"]).toBe("no-cache");
    }
  });

  it("serves hashed assets with a long cache and refuses paths out of the folder", async () => {
    const js = await t.app.inject({ url: "/assets/index-abc123.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["cache-control"]).toContain("immutable");
    expect((await t.app.inject({ url: "/assets/../index.html" })).statusCode).not.toBe(200);
    expect((await t.app.inject({ url: "/assets/missing.js" })).statusCode).toBe(404);
  });

  it("keeps the API behind its tokens", async () => {
    expect((await t.app.inject({ url: "/api/me" })).statusCode).toBe(401);
  });
});
