import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/**
 * Configuration: defaults, then an optional file (HOTLINE_CONFIG, YAML or JSON), then
 * environment variables. Validated once at start; a wrong value stops the start with a
 * message naming the key (and the environment variable that sets it).
 */

const port = z.coerce.number().int().min(1).max(65_535);
/** 0 = any free port (tests). */
const listenPort = z.coerce.number().int().min(0).max(65_535);
/** What a phone pad can dial: `*` or `#` first (never a number a caller could mean), then digits. */
const featureCode = z.string().regex(/^[*#][0-9*#]{1,8}$/, "* or # followed by 1–8 keys");
const bool = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1"),
]);

export const configSchema = z
  .strictObject({
    env: z.enum(["development", "production", "test"]).default("development"),
    http: z
      .strictObject({
        host: z.string().min(1).default("0.0.0.0"),
        port: listenPort.default(8080),
        /** Seconds SIGTERM waits for in-flight requests before exiting anyway. */
        drainSeconds: z.coerce.number().min(0).max(600).default(10),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
        /** pretty = human-readable lines; json = one JSON object a line; auto = pretty on a terminal. */
        format: z.enum(["auto", "json", "pretty"]).default("auto"),
      })
      .prefault({}),
    database: z
      .strictObject({
        /** postgres://… to use a Postgres server; unset = embedded PGlite under dataDir. */
        url: z.string().url().optional(),
      })
      .prefault({}),
    dataDir: z.string().min(1).default("./data"),
    /** The built softphone served at `/`; default: the agent-softphone package's dist. */
    webDir: z.string().min(1).optional(),
    redis: z
      .strictObject({
        /** redis://… to share live ACD state between nodes; unset = in memory (one node). */
        url: z
          .string()
          .regex(/^rediss?:\/\//, "a redis:// or rediss:// URL")
          .optional(),
        prefix: z.string().min(1).max(64).default("hotline12345:"),
      })
      .prefault({}),
    auth: z
      .strictObject({
        /** HMAC secret for session tokens; at least 32 characters. Unset = random per start (dev only). */
        jwtSecret: z.string().min(32).optional(),
        accessTokenSeconds: z.coerce.number().int().min(30).max(86_400).default(900),
        refreshTokenSeconds: z.coerce
          .number()
          .int()
          .min(300)
          .max(7 * 86_400)
          .default(43_200),
        loginAttemptsPerUser: z.coerce.number().int().min(1).default(5),
        loginAttemptsPerAddress: z.coerce.number().int().min(1).default(30),
        loginWindowSeconds: z.coerce.number().int().min(1).default(300),
        /** On a start with no users at all, create the admin account `admin` with this password. */
        bootstrapAdminPassword: z.string().min(12).optional(),
      })
      .prefault({}),
    sip: z
      .strictObject({
        /** Off: no SIP, no media (API and events only). */
        enabled: bool.default(true),
        domain: z.string().min(1).default("localhost"),
        host: z.string().min(1).default("0.0.0.0"),
        port: listenPort.default(5060),
        /** Address put in SDP and Contact when listening on a wildcard. */
        publicAddress: z.string().min(1).optional(),
        /**
         * Addresses whose calls are taken as a trunk's, without digest (the demo trunk `local`
         * is this machine, so a SIP phone here can call 12345). Comma-separated in the environment.
         */
        trustedAddresses: z
          .union([
            z.array(z.string()),
            z.string().transform((v) =>
              v
                .split(",")
                .map((a) => a.trim())
                .filter(Boolean),
            ),
          ])
          .default(["127.0.0.1"]),
        tlsPort: port.default(5061),
      })
      .prefault({}),
    rtp: z
      .strictObject({
        portMin: port.default(20_000),
        portMax: port.default(29_999),
        /** Media worker threads; default one per core. */
        workers: z.coerce.number().int().min(1).max(64).optional(),
      })
      .prefault({})
      .refine((r) => r.portMin < r.portMax, { message: "portMin must be below portMax" }),
    hotlineNumber: z
      .string()
      .regex(/^\+?[0-9]{3,20}$/)
      .default("12345"),
    /**
     * Where the IVR's voicemail verb takes callers: an outside voicemail server by SIP (History-Info
     * and Diversion say whom they wanted), else a message recorded here and POSTed to `postUrl`.
     */
    voicemail: z
      .strictObject({
        uri: z
          .string()
          .regex(/^sips?:\S+$/, "a sip: or sips: URI")
          .optional(),
        postUrl: z.url().optional(),
        /** Signs the POSTed message (X-Hotline-Signature: sha256=HMAC). */
        secret: z.string().min(16).optional(),
      })
      .prefault({}),
    /**
     * Feature codes an agent dials from a plain SIP phone to change their own state; each is
     * confirmed by a short prompt. `notReadyReason` is the reason `notReady` gives (a phone has
     * no reason picker).
     */
    featureCodes: z
      .strictObject({
        loginReady: featureCode.default("*21"),
        notReady: featureCode.default("*22"),
        logout: featureCode.default("*23"),
        endWrapUp: featureCode.default("*24"),
        notReadyReason: z
          .string()
          .regex(/^[a-z][a-z0-9-]{0,31}$/)
          .default("break"),
      })
      .prefault({})
      .refine(
        (f) => new Set([f.loginReady, f.notReady, f.logout, f.endWrapUp]).size === 4,
        "each feature code must differ from the others",
      ),
    /** Seed demo accounts, queues and skills on first start. Default: on, except in production. */
    demoData: bool.optional(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

/** Which environment variable sets which key. */
export const envKeys: Record<string, string> = {
  NODE_ENV: "env",
  HOTLINE_HTTP_HOST: "http.host",
  HOTLINE_HTTP_PORT: "http.port",
  HOTLINE_DRAIN_SECONDS: "http.drainSeconds",
  HOTLINE_LOG_LEVEL: "log.level",
  HOTLINE_LOG_FORMAT: "log.format",
  DATABASE_URL: "database.url",
  HOTLINE_DATA_DIR: "dataDir",
  HOTLINE_WEB_DIR: "webDir",
  HOTLINE_REDIS_URL: "redis.url",
  HOTLINE_REDIS_PREFIX: "redis.prefix",
  HOTLINE_JWT_SECRET: "auth.jwtSecret",
  HOTLINE_ACCESS_TOKEN_SECONDS: "auth.accessTokenSeconds",
  HOTLINE_REFRESH_TOKEN_SECONDS: "auth.refreshTokenSeconds",
  HOTLINE_BOOTSTRAP_ADMIN_PASSWORD: "auth.bootstrapAdminPassword",
  HOTLINE_SIP_ENABLED: "sip.enabled",
  HOTLINE_SIP_DOMAIN: "sip.domain",
  HOTLINE_SIP_HOST: "sip.host",
  HOTLINE_SIP_PUBLIC_ADDRESS: "sip.publicAddress",
  HOTLINE_SIP_TRUSTED_ADDRESSES: "sip.trustedAddresses",
  HOTLINE_MEDIA_WORKERS: "rtp.workers",
  HOTLINE_SIP_PORT: "sip.port",
  HOTLINE_SIP_TLS_PORT: "sip.tlsPort",
  HOTLINE_RTP_PORT_MIN: "rtp.portMin",
  HOTLINE_RTP_PORT_MAX: "rtp.portMax",
  HOTLINE_NUMBER: "hotlineNumber",
  HOTLINE_DEMO_DATA: "demoData",
  HOTLINE_VOICEMAIL_URI: "voicemail.uri",
  HOTLINE_VOICEMAIL_POST_URL: "voicemail.postUrl",
  HOTLINE_VOICEMAIL_SECRET: "voicemail.secret",
  HOTLINE_FEATURE_LOGIN_READY: "featureCodes.loginReady",
  HOTLINE_FEATURE_NOT_READY: "featureCodes.notReady",
  HOTLINE_FEATURE_LOGOUT: "featureCodes.logout",
  HOTLINE_FEATURE_END_WRAP_UP: "featureCodes.endWrapUp",
  HOTLINE_FEATURE_NOT_READY_REASON: "featureCodes.notReadyReason",
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1] as string] = value;
}

function readConfigFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([`HOTLINE_CONFIG: cannot read ${file}: ${(err as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError([`HOTLINE_CONFIG: ${file} is not valid YAML/JSON: ${(err as Error).message}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([`HOTLINE_CONFIG: ${file} must hold a mapping of keys`]);
  }
  return parsed as Tree;
}

/**
 * Builds the configuration from an environment (process.env by default).
 * Unknown HOTLINE_* variables are refused too: a typo must not silently fall back to a default.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const tree: Tree = env.HOTLINE_CONFIG ? readConfigFile(env.HOTLINE_CONFIG) : {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === "") continue;
    const key = envKeys[name];
    if (key) setPath(tree, key, value);
    else if (name.startsWith("HOTLINE_") && name !== "HOTLINE_CONFIG") {
      problems.push(`${name}: unknown setting (known: ${Object.keys(envKeys).join(", ")})`);
    }
  }
  const result = configSchema.safeParse(tree);
  if (!result.success) {
    const byKey = Object.fromEntries(Object.entries(envKeys).map(([k, v]) => [v, k]));
    for (const issue of result.error.issues) {
      const key = issue.path.join(".") || "(root)";
      const from = byKey[key] ? ` (${byKey[key]})` : "";
      problems.push(`${key}${from}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = result.data as Config;
  if (config.env === "production" && !config.auth.jwtSecret) {
    throw new ConfigError(["auth.jwtSecret (HOTLINE_JWT_SECRET): required in production"]);
  }
  return config;
}

/** Demo data is on unless switched off, or unless running in production. */
export function demoDataEnabled(config: Config): boolean {
  return config.demoData ?? config.env !== "production";
}
