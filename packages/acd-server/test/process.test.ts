import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

interface Started {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** Runs the real acd-server process; resolves once it logs where it listens (or it exits). */
function run(env: Record<string, string>): Promise<Started | { code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    env: {
      PATH: process.env.PATH ?? "",
      HOTLINE_HTTP_PORT: "0",
      HOTLINE_HTTP_HOST: "127.0.0.1",
      HOTLINE_SIP_PORT: "0",
      HOTLINE_MEDIA_WORKERS: "1",
      HOTLINE_LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, stderr })),
  );
  return new Promise((resolve) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "hotline12345 acd-server listening" && entry.url)
          resolve({ child, url: entry.url, exited });
      }
    });
    void exited.then((r) => resolve(r));
  });
}

function started(r: Started | { code: number | null }): Started {
  if (!("child" in r)) throw new Error(`server exited with ${r.code}: ${"stderr" in r ? r.stderr : ""}`);
  return r;
}

async function login(url: string, userId: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

describe("the acd-server process", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "hotline-process-"));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("starts with no configuration, keeps its data across a restart, and exits cleanly on SIGTERM", async () => {
    const dataDir = tempDir();
    const first = started(await run({ HOTLINE_DATA_DIR: dataDir }));
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${first.url}/readyz`)).json()).toEqual({ status: "ready", store: "pglite" });
    expect((await fetch(`${first.url}/docs/`)).status).toBe(200);
    const token = await login(first.url, "9001", "hotline-9001");
    const put = await fetch(`${first.url}/api/skills/cantonese`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "粤语", description: "Cantonese" }),
    });
    expect(put.status).toBe(200);
    first.child.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);

    const second = started(await run({ HOTLINE_DATA_DIR: dataDir }));
    const token2 = await login(second.url, "9001", "hotline-9001");
    const skills = (await (
      await fetch(`${second.url}/api/skills`, { headers: { authorization: `Bearer ${token2}` } })
    ).json()) as Array<{
      id: string;
    }>;
    expect(skills.map((s) => s.id)).toContain("cantonese");
    const seeds = (await (
      await fetch(`${second.url}/api/audit?entity=demo-data`, {
        headers: { authorization: `Bearer ${token2}` },
      })
    ).json()) as unknown[];
    expect(seeds).toHaveLength(1);
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  }, 150_000);

  it("refuses to start on a bad setting, naming the key", async () => {
    const r = await run({ HOTLINE_HTTP_PORT: "eighty", HOTLINE_DATA_DIR: tempDir() });
    expect("child" in r).toBe(false);
    const result = r as { code: number | null; stderr: string };
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("http.port (HOTLINE_HTTP_PORT)");
  });

  it("refuses to run in production while demo passwords are in place", async () => {
    const dataDir = tempDir();
    const dev = started(await run({ HOTLINE_DATA_DIR: dataDir, HOTLINE_SIP_ENABLED: "false" }));
    dev.child.kill("SIGTERM");
    await dev.exited;
    const prod = await run({
      HOTLINE_DATA_DIR: dataDir,
      NODE_ENV: "production",
      HOTLINE_JWT_SECRET: "s".repeat(40),
      HOTLINE_SIP_ENABLED: "false",
    });
    expect("child" in prod).toBe(false);
    const result = prod as { code: number | null; stderr: string };
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("demo password");
  }, 60_000);

  it("starts in production with no demo data and a bootstrap admin", async () => {
    const prod = started(
      await run({
        HOTLINE_DATA_DIR: tempDir(),
        NODE_ENV: "production",
        HOTLINE_JWT_SECRET: "s".repeat(40),
        HOTLINE_BOOTSTRAP_ADMIN_PASSWORD: "a-long-admin-password",
        HOTLINE_SIP_ENABLED: "false",
      }),
    );
    const token = await login(prod.url, "admin", "a-long-admin-password");
    const users = (await (
      await fetch(`${prod.url}/api/users`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Array<{
      id: string;
    }>;
    expect(users.map((u) => u.id)).toEqual(["admin"]);
    prod.child.kill("SIGTERM");
    expect((await prod.exited).code).toBe(0);
  }, 60_000);
});
