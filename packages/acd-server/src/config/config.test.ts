import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, demoDataEnabled, loadConfig } from "./config.js";

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("configuration", () => {
  it("starts with no configuration at all", () => {
    const c = loadConfig({});
    expect(c.http).toEqual({ host: "0.0.0.0", port: 8080, drainSeconds: 10 });
    expect(c.database.url).toBeUndefined();
    expect(c.sip).toEqual({
      enabled: true,
      domain: "localhost",
      host: "0.0.0.0",
      port: 5060,
      tlsPort: 5061,
      trustedAddresses: ["127.0.0.1"],
    });
    expect(c.rtp).toEqual({ portMin: 20_000, portMax: 29_999 });
    expect(c.redis).toEqual({ prefix: "hotline12345:" });
    expect(c.hotlineNumber).toBe("12345");
    expect(demoDataEnabled(c)).toBe(true);
  });

  it("takes values from the environment", () => {
    const c = loadConfig({
      HOTLINE_HTTP_PORT: "9090",
      DATABASE_URL: "postgres://db/hotline",
      HOTLINE_DEMO_DATA: "false",
    });
    expect(c.http.port).toBe(9090);
    expect(c.database.url).toBe("postgres://db/hotline");
    expect(demoDataEnabled(c)).toBe(false);
  });

  it.each([
    [{ HOTLINE_HTTP_PORT: "eighty" }, "http.port (HOTLINE_HTTP_PORT)"],
    [{ HOTLINE_HTTP_PORT: "70000" }, "http.port (HOTLINE_HTTP_PORT)"],
    [{ HOTLINE_LOG_LEVEL: "loud" }, "log.level (HOTLINE_LOG_LEVEL)"],
    [{ DATABASE_URL: "not a url" }, "database.url (DATABASE_URL)"],
    [{ HOTLINE_NUMBER: "12a45" }, "hotlineNumber (HOTLINE_NUMBER)"],
    [{ HOTLINE_JWT_SECRET: "short" }, "auth.jwtSecret (HOTLINE_JWT_SECRET)"],
    [{ HOTLINE_RTP_PORT_MIN: "30000", HOTLINE_RTP_PORT_MAX: "20000" }, "rtp"],
    [{ HOTLINE_HTTP_PROT: "8080" }, "HOTLINE_HTTP_PROT: unknown setting"],
    [{ NODE_ENV: "production" }, "auth.jwtSecret (HOTLINE_JWT_SECRET): required in production"],
  ])("refuses %o naming the key", (env, key) => {
    const problems = problemsOf(env);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toContain(key);
  });

  it("reads an optional YAML file, overridden by the environment, refusing unknown keys", () => {
    const dir = mkdtempSync(join(tmpdir(), "hotline-config-"));
    const file = join(dir, "hotline.yaml");
    writeFileSync(file, "http:\n  port: 9000\nsip:\n  domain: hotline.example.gov.cn\n");
    const c = loadConfig({ HOTLINE_CONFIG: file, HOTLINE_HTTP_PORT: "9100" });
    expect(c.http.port).toBe(9100);
    expect(c.sip.domain).toBe("hotline.example.gov.cn");
    writeFileSync(file, "http:\n  prot: 9000\n");
    expect(problemsOf({ HOTLINE_CONFIG: file }).join()).toContain("http");
    expect(problemsOf({ HOTLINE_CONFIG: join(dir, "missing.yaml") }).join()).toContain(
      "HOTLINE_CONFIG: cannot read",
    );
  });

  it("turns demo data off by default in production", () => {
    const c = loadConfig({ NODE_ENV: "production", HOTLINE_JWT_SECRET: "x".repeat(32) });
    expect(demoDataEnabled(c)).toBe(false);
  });
});
