/**
 * HTTP Digest for SIP (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760): server challenge and check with
 * MD5 and SHA-256, qop=auth, expiring nonces that cannot be replayed (nonce-count must rise),
 * identical answers for known and unknown users, failure rate limits and lockouts per source
 * address and per user; and the client side, for trunks that challenge us.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type Clock, RealClock } from "./clock.js";
import { TypedEmitter } from "./events.js";
import type { SipRequest, SipResponse } from "./message.js";
import { type IncomingRequest, setClientAuthorizer } from "./stack.js";

export type DigestAlgorithm = "MD5" | "SHA-256";

function hash(alg: DigestAlgorithm, s: string): string {
  return createHash(alg === "MD5" ? "md5" : "sha256")
    .update(s, "utf8")
    .digest("hex");
}

/** Parse `Digest k=v, k="v"` (RFC 7616 §3.3-3.4 auth-param list). */
export function parseDigest(value: string): Map<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return undefined;
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*(,|$)/gy;
  const s = m[1]!;
  re.lastIndex = 0;
  while (re.lastIndex < s.length) {
    const r = re.exec(s);
    if (r === null || r[0] === "") break;
    out.set(r[1]!.toLowerCase(), r[3] !== undefined ? r[3].replace(/\\(.)/g, "$1") : r[2]!);
  }
  return out;
}

/** response = KD(H(A1), nonce:nc:cnonce:qop:H(A2)) (RFC 7616 §3.4.1, RFC 2617 §3.2.2.1). */
export function digestResponse(p: {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  /** The password, or `ha1` = H(username:realm:password) when only that is stored. */
  password?: string;
  ha1?: string;
  method: string;
  uri: string;
  nonce: string;
  nc?: string;
  cnonce?: string;
  qop?: string;
}): string {
  const ha1 = p.ha1 ?? hash(p.algorithm, `${p.username}:${p.realm}:${p.password ?? ""}`);
  const ha2 = hash(p.algorithm, `${p.method}:${p.uri}`);
  if (p.qop) return hash(p.algorithm, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
  return hash(p.algorithm, `${ha1}:${p.nonce}:${ha2}`);
}

/**
 * Client side (§22.2, RFC 8760 §2.4): pick the strongest challenge we support (SHA-256 over MD5)
 * and build the Authorization / Proxy-Authorization value for `req`.
 */
export function authorizeRequest(
  req: SipRequest,
  challenge: SipResponse,
  creds: { username: string; password: string },
): string | undefined {
  const name = challenge.status === 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
  const offers = challenge.headers
    .getLines(name)
    .map(parseDigest)
    .filter((x): x is Map<string, string> => x !== undefined);
  const pick =
    offers.find((o) => (o.get("algorithm") ?? "").toUpperCase() === "SHA-256") ??
    offers.find((o) => ["", "MD5"].includes((o.get("algorithm") ?? "").toUpperCase()));
  if (!pick) return undefined;
  const algorithm: DigestAlgorithm =
    (pick.get("algorithm") ?? "MD5").toUpperCase() === "SHA-256" ? "SHA-256" : "MD5";
  const realm = pick.get("realm") ?? "";
  const nonce = pick.get("nonce") ?? "";
  const qop = (pick.get("qop") ?? "")
    .split(",")
    .map((s) => s.trim())
    .includes("auth")
    ? "auth"
    : undefined;
  const uri = `${req.uri.scheme}:${req.uri.opaque ?? `${req.uri.user !== undefined ? `${req.uri.user}@` : ""}${req.uri.host}${req.uri.port !== undefined ? `:${req.uri.port}` : ""}`}`;
  const cnonce = randomBytes(8).toString("hex");
  const nc = "00000001";
  const response = digestResponse({
    algorithm,
    username: creds.username,
    realm,
    password: creds.password,
    method: req.method,
    uri,
    nonce,
    nc,
    cnonce,
    qop,
  });
  let v = `Digest username="${creds.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}`;
  if (qop) v += `, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
  const opaque = pick.get("opaque");
  if (opaque !== undefined) v += `, opaque="${opaque}"`;
  return v;
}

setClientAuthorizer(authorizeRequest);

export interface DigestOptions {
  realm: string;
  /** Password of a user, or undefined when there is no such user. Async: backed by a database. */
  lookup: (username: string, realm: string) => Promise<string | undefined>;
  /**
   * H(username:realm:password) per algorithm, for stores that keep HA1 instead of the password
   * (RFC 7616 §3.9.1 "the server could store H(A1)"). Used instead of `lookup` when given.
   */
  lookupHa1?: (username: string, realm: string, algorithm: DigestAlgorithm) => Promise<string | undefined>;
  /**
   * Offered in this order (RFC 8760 §2.4: one challenge per algorithm, most preferred first). A
   * function chooses per request: MD5-only clients differ in which header they read (sipp the first,
   * JsSIP 3.x the last), so a deployment may order by transport or User-Agent.
   */
  algorithms?: DigestAlgorithm[] | ((inc: IncomingRequest) => DigestAlgorithm[]);
  /** Nonce lifetime; an older nonce gets a fresh challenge with stale=true. */
  nonceTtlMs?: number;
  /** Failures allowed per source address and per user within `windowMs` before a lockout. */
  maxFailures?: number;
  windowMs?: number;
  lockoutMs?: number;
  clock?: Clock;
}

export interface Lockout {
  kind: "source" | "user";
  key: string;
  until: number;
  failures: number;
}

export type DigestEvents = {
  failure: [kind: "bad-credentials" | "replay" | "locked", username: string, source: string];
  lockout: [lockout: Lockout];
};

interface FailureState {
  times: number[];
  lockedUntil: number;
}

export class DigestAuthenticator extends TypedEmitter<DigestEvents> {
  private readonly secret = randomBytes(32);
  private readonly clock: Clock;
  private readonly algorithms: DigestAlgorithm[] | ((inc: IncomingRequest) => DigestAlgorithm[]);
  private readonly ttl: number;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockoutMs: number;
  /** Highest nonce-count seen per nonce: a count that does not rise is a replay (RFC 7616 §3.3). */
  private readonly counts = new Map<string, { nc: number; issued: number }>();
  private readonly failures = new Map<string, FailureState>();

  constructor(private readonly opts: DigestOptions) {
    super();
    this.clock = opts.clock ?? new RealClock();
    this.algorithms = opts.algorithms ?? ["SHA-256", "MD5"];
    this.ttl = opts.nonceTtlMs ?? 300_000;
    this.maxFailures = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.lockoutMs = opts.lockoutMs ?? 15 * 60_000;
  }

  /** nonce = time "." random "." HMAC(secret, time.random): verifiable without state. */
  private newNonce(): string {
    const body = `${Math.floor(this.clock.now())}.${randomBytes(8).toString("hex")}`;
    const mac = createHmac("sha256", this.secret).update(body).digest("base64url").slice(0, 22);
    return `${body}.${mac}`;
  }

  private nonceAge(nonce: string): number | undefined {
    const i = nonce.lastIndexOf(".");
    if (i < 0) return undefined;
    const body = nonce.slice(0, i);
    const mac = Buffer.from(nonce.slice(i + 1));
    const want = Buffer.from(createHmac("sha256", this.secret).update(body).digest("base64url").slice(0, 22));
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return undefined;
    return this.clock.now() - Number(body.split(".")[0]);
  }

  private algorithmsFor(inc: IncomingRequest): DigestAlgorithm[] {
    return typeof this.algorithms === "function" ? this.algorithms(inc) : this.algorithms;
  }

  private challenges(inc: IncomingRequest, stale: boolean): Array<[string, string]> {
    return this.algorithmsFor(inc).map((alg) => {
      const nonce = this.newNonce();
      return [
        "WWW-Authenticate",
        `Digest realm="${this.opts.realm}", nonce="${nonce}", algorithm=${alg}, qop="auth"${stale ? ", stale=true" : ""}`,
      ];
    });
  }

  private locked(key: string): boolean {
    const f = this.failures.get(key);
    return f !== undefined && f.lockedUntil > this.clock.now();
  }

  private fail(kind: "source" | "user", key: string): void {
    const now = this.clock.now();
    const id = `${kind}:${key}`;
    const f = this.failures.get(id) ?? { times: [], lockedUntil: 0 };
    f.times = f.times.filter((t) => now - t < this.windowMs);
    f.times.push(now);
    if (f.times.length >= this.maxFailures && f.lockedUntil <= now) {
      f.lockedUntil = now + this.lockoutMs;
      this.emit("lockout", { kind, key, until: f.lockedUntil, failures: f.times.length });
    }
    this.failures.set(id, f);
  }

  /** Current lockouts, for an admin page. */
  lockouts(): Lockout[] {
    const now = this.clock.now();
    const out: Lockout[] = [];
    for (const [id, f] of this.failures) {
      if (f.lockedUntil > now) {
        const [kind, ...rest] = id.split(":");
        out.push({
          kind: kind === "user" ? "user" : "source",
          key: rest.join(":"),
          until: f.lockedUntil,
          failures: f.times.length,
        });
      }
    }
    return out;
  }

  /** Lift a lockout (admin action). Returns whether one was lifted. */
  unlock(kind: "source" | "user", key: string): boolean {
    return this.failures.delete(`${kind}:${key}`);
  }

  /**
   * Check the request's credentials. On success returns the authenticated username. Otherwise it
   * has already answered: 401 with fresh challenges, or 403 while a lockout is in force, and returns
   * undefined. The answer never depends on whether the user exists.
   */
  async authenticate(inc: IncomingRequest): Promise<string | undefined> {
    const source = inc.source.address;
    const header = inc.request.headers.get("Authorization");
    const creds = header === undefined ? undefined : parseDigest(header);
    const username = creds?.get("username") ?? "";
    if (this.locked(`source:${source}`) || (username !== "" && this.locked(`user:${username}`))) {
      this.emit("failure", "locked", username, source);
      inc.respond(403);
      return undefined;
    }
    if (!creds) {
      inc.respond(401, { headers: this.challenges(inc, false) });
      return undefined;
    }
    const algorithm: DigestAlgorithm =
      (creds.get("algorithm") ?? "MD5").toUpperCase() === "SHA-256" ? "SHA-256" : "MD5";
    const nonce = creds.get("nonce") ?? "";
    const age = this.nonceAge(nonce);
    const realmOk = creds.get("realm") === this.opts.realm && this.algorithmsFor(inc).includes(algorithm);
    // Look the user up whatever happens, so known and unknown users cost the same.
    const secret = this.opts.lookupHa1
      ? { ha1: await this.opts.lookupHa1(username, this.opts.realm, algorithm) }
      : { password: await this.opts.lookup(username, this.opts.realm) };
    const known = (secret.ha1 ?? secret.password) !== undefined;
    if (age === undefined || !realmOk) {
      this.failed(username, source);
      inc.respond(401, { headers: this.challenges(inc, false) });
      return undefined;
    }
    const qop = creds.get("qop");
    const nc = creds.get("nc");
    const expected = digestResponse({
      algorithm,
      username,
      realm: this.opts.realm,
      ...(known ? secret : { password: randomBytes(16).toString("hex") }),
      method: inc.request.method,
      uri: creds.get("uri") ?? "",
      nonce,
      nc,
      cnonce: creds.get("cnonce"),
      qop,
    });
    const given = Buffer.from(creds.get("response") ?? "");
    const ok = known && given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
    if (!ok || qop !== "auth" || nc === undefined) {
      this.failed(username, source);
      inc.respond(401, { headers: this.challenges(inc, false) });
      return undefined;
    }
    if (age > this.ttl) {
      // RFC 7616 §3.3 stale: right password, old nonce — a fresh challenge, not a failure.
      inc.respond(401, { headers: this.challenges(inc, true) });
      return undefined;
    }
    const n = Number.parseInt(nc, 16);
    const seen = this.counts.get(nonce);
    if (seen && n <= seen.nc) {
      // A nonce-count that does not increase is a replayed request.
      this.emit("failure", "replay", username, source);
      inc.respond(401, { headers: this.challenges(inc, true) });
      return undefined;
    }
    this.counts.set(nonce, { nc: n, issued: this.clock.now() - age });
    this.sweep();
    return username;
  }

  private failed(username: string, source: string): void {
    this.emit("failure", "bad-credentials", username, source);
    this.fail("source", source);
    if (username !== "") this.fail("user", username);
  }

  private sweep(): void {
    if (this.counts.size < 1024) return;
    const now = this.clock.now();
    for (const [k, v] of this.counts) if (now - v.issued > this.ttl) this.counts.delete(k);
  }
}
