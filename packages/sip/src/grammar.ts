/**
 * Header-value grammar of RFC 3261 §25.1 (with the IPv6 references of RFC 5118): SIP/SIPS URIs,
 * name-addr / addr-spec, generic parameters, Via, CSeq. Values arrive unfolded: the parser has
 * already replaced each `CRLF 1*WSP` by a single SP (§7.3.1), so LWS here is just SP / HTAB.
 */
import { SipParseError } from "./errors.js";

/** An ordered parameter list; a `null` value is a parameter without `=value` (e.g. `;lr`, `;rport`). */
export type Params = Map<string, string | null>;

export interface SipUri {
  /** Lower-cased scheme: "sip", "sips", "tel", or anything else (kept opaque). */
  scheme: string;
  /** User part, still %-escaped as received (RFC 3261 §19.1.4 compares unescaped). */
  user?: string | undefined;
  password?: string | undefined;
  /** Host, IPv6 references keep their brackets (RFC 5118 §4.1). */
  host: string;
  port?: number | undefined;
  params: Params;
  /** URI headers (`?name=value&...`), escaped as received. */
  headers: Params;
  /** For schemes other than sip/sips: everything after the colon. */
  opaque?: string | undefined;
}

export interface NameAddr {
  displayName?: string | undefined;
  uri: SipUri;
  /** Header parameters (tag, expires, q, ...). */
  params: Params;
  /** Contact: `*` (RFC 3261 §10.2.2, unregister all). */
  star?: boolean | undefined;
}

export interface Via {
  protocol: string;
  transport: string;
  host: string;
  port?: number | undefined;
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
}

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const TOKEN_CHARS = new Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~");

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

function fail(reason: string): never {
  throw new SipParseError("BAD_HEADER", reason);
}

function skipWs(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  return i;
}

/** quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (§25.1); returns unescaped text. */
export function readQuoted(s: string, i: number): { value: string; end: number } {
  let out = "";
  let j = i + 1;
  while (j < s.length) {
    const c = s[j]!;
    if (c === "\\") {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): CR and LF may not be escaped.
      const n = s[j + 1];
      if (n === undefined || n === "\r" || n === "\n") fail("bad escape in quoted string");
      out += n;
      j += 2;
      continue;
    }
    if (c === '"') return { value: out, end: j + 1 };
    out += c;
    j++;
  }
  return fail("unterminated quoted string");
}

export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string (§25.1).
 * LWS is allowed around ";" and "=" (SEMI and EQUAL carry SWS). Stops before "," or ">" or the end.
 */
export function readParams(s: string, start: number): { params: Params; end: number } {
  const params: Params = new Map();
  let i = skipWs(s, start);
  while (i < s.length && s[i] === ";") {
    i = skipWs(s, i + 1);
    let j = i;
    while (j < s.length && TOKEN_CHARS.has(s[j]!)) j++;
    if (j === i) fail("empty parameter");
    const name = s.slice(i, j);
    i = skipWs(s, j);
    let value: string | null = null;
    if (s[i] === "=") {
      i = skipWs(s, i + 1);
      if (s[i] === '"') {
        const q = readQuoted(s, i);
        value = `"${s.slice(i + 1, q.end - 1)}"`;
        i = q.end;
      } else {
        j = i;
        while (j < s.length && (TOKEN_CHARS.has(s[j]!) || s[j] === "[" || s[j] === "]" || s[j] === ":")) j++;
        if (j === i) fail(`empty value for parameter ${name}`);
        value = s.slice(i, j);
        i = j;
      }
    }
    params.set(name.toLowerCase(), value);
    i = skipWs(s, i);
  }
  return { params, end: i };
}

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const IPV6REF = /^\[[0-9A-Fa-f:.]+\]$/;

function checkHost(host: string): void {
  if (IPV6REF.test(host)) {
    // RFC 5118 §4.1: an IPv6reference is bracketed hex groups, an optional dotted IPv4 tail.
    const inner = host.slice(1, -1);
    const groups = inner.split(":");
    if (groups.length < 3 || groups.length > 9 || inner.split("::").length > 2) fail("bad IPv6 reference");
    return;
  }
  if (!HOSTNAME.test(host)) fail("bad host");
}

function readHostPort(s: string): { host: string; port?: number | undefined } {
  let host: string;
  let rest: string;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) fail("bad IPv6 reference");
    host = s.slice(0, close + 1);
    rest = s.slice(close + 1);
  } else {
    const colon = s.indexOf(":");
    host = colon < 0 ? s : s.slice(0, colon);
    rest = colon < 0 ? "" : s.slice(colon);
  }
  checkHost(host);
  if (rest === "") return { host };
  if (!/^:[0-9]{1,5}$/.test(rest)) fail("bad port");
  const port = Number(rest.slice(1));
  if (port < 1 || port > 65535) fail("bad port");
  return { host, port };
}

function splitUriParams(s: string, sep: string): Params {
  const params: Params = new Map();
  for (const part of s.split(sep)) {
    if (part === "") fail("empty URI parameter");
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    if (name === "") fail("empty URI parameter");
    params.set(sep === ";" ? name.toLowerCase() : name, eq < 0 ? null : part.slice(eq + 1));
  }
  return params;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
// Characters that may never appear in a URI on the wire (§25.1 has no LWS, quotes or angle brackets).
const URI_FORBIDDEN = /[\s<>"]/;

/** SIP-URI / SIPS-URI / absoluteURI (RFC 3261 §19.1.1, §25.1). */
export function parseUri(s: string): SipUri {
  if (URI_FORBIDDEN.test(s)) throw new SipParseError("BAD_URI", "bad character in URI");
  const colon = s.indexOf(":");
  if (colon <= 0) throw new SipParseError("BAD_URI", "URI without scheme");
  const scheme = s.slice(0, colon);
  if (!SCHEME.test(scheme)) throw new SipParseError("BAD_URI", "bad URI scheme");
  const lower = scheme.toLowerCase();
  const rest = s.slice(colon + 1);
  if (lower !== "sip" && lower !== "sips") {
    if (rest === "") throw new SipParseError("BAD_URI", "empty URI");
    return { scheme: lower, host: "", params: new Map(), headers: new Map(), opaque: rest };
  }
  try {
    // "@" is in none of the user, password, parameter or header character sets (§25.1), so the first
    // one ends the userinfo; the user part may itself hold ";" and "?" (RFC 4475 §3.1.1.2, §3.1.1.9).
    const at = rest.indexOf("@");
    let user: string | undefined;
    let password: string | undefined;
    let afterUser = rest;
    if (at >= 0) {
      const userinfo = rest.slice(0, at);
      afterUser = rest.slice(at + 1);
      const pc = userinfo.indexOf(":");
      user = pc < 0 ? userinfo : userinfo.slice(0, pc);
      password = pc < 0 ? undefined : userinfo.slice(pc + 1);
      if (user === "") fail("empty user");
    }
    const q = afterUser.indexOf("?");
    const hostPart = q < 0 ? afterUser : afterUser.slice(0, q);
    const headers = q < 0 ? new Map<string, string | null>() : splitUriParams(afterUser.slice(q + 1), "&");
    const semi = hostPart.startsWith("[")
      ? hostPart.indexOf(";", hostPart.indexOf("]"))
      : hostPart.indexOf(";");
    const hp = readHostPort(semi < 0 ? hostPart : hostPart.slice(0, semi));
    const params =
      semi < 0 ? new Map<string, string | null>() : splitUriParams(hostPart.slice(semi + 1), ";");
    return { scheme: lower, user, password, host: hp.host, port: hp.port, params, headers };
  } catch (e) {
    if (e instanceof SipParseError) throw new SipParseError("BAD_URI", `bad URI (${e.reason})`);
    throw e;
  }
}

function serializeParams(p: Params, sep: string): string {
  let out = "";
  for (const [k, v] of p) out += v === null ? `${sep}${k}` : `${sep}${k}=${v}`;
  return out;
}

export function serializeUri(u: SipUri): string {
  if (u.opaque !== undefined) return `${u.scheme}:${u.opaque}`;
  let s = `${u.scheme}:`;
  if (u.user !== undefined) s += u.password !== undefined ? `${u.user}:${u.password}@` : `${u.user}@`;
  s += u.host;
  if (u.port !== undefined) s += `:${u.port}`;
  s += serializeParams(u.params, ";");
  if (u.headers.size > 0) s += `?${serializeParams(u.headers, "&").slice(1)}`;
  return s;
}

/**
 * name-addr / addr-spec (§20.10, §25.1) at `start`, followed by header parameters. Returns where it
 * stopped: at the end, or at a "," (lists) which the caller consumes.
 */
export function readNameAddr(s: string, start: number): { addr: NameAddr; end: number } {
  let i = skipWs(s, start);
  let displayName: string | undefined;
  if (s[i] === "*") {
    const r = readParams(s, i + 1);
    return {
      addr: {
        uri: { scheme: "", host: "*", params: new Map(), headers: new Map() },
        params: r.params,
        star: true,
      },
      end: r.end,
    };
  }
  if (s[i] === '"') {
    const q = readQuoted(s, i);
    displayName = q.value;
    i = skipWs(s, q.end);
    if (s[i] !== "<") fail("display name without <URI>");
  } else {
    // Either `*(token LWS) <URI>` or a bare addr-spec: look for "<" before any "," / ";".
    let j = i;
    while (j < s.length && s[j] !== "<" && s[j] !== "," && s[j] !== ";" && s[j] !== '"') j++;
    if (s[j] === "<") {
      const words = s.slice(i, j).trim();
      if (words !== "") {
        for (const w of words.split(/[ \t]+/)) if (!isToken(w)) fail("bad display name");
        displayName = words;
      }
      i = j;
    } else {
      // addr-spec: "If the URI contains a comma, question mark or semicolon, the URI MUST be enclosed in
      // angle brackets (< and >). Any URI parameters are contained within these brackets." (§20)
      let k = i;
      while (k < s.length && s[k] !== ";" && s[k] !== "," && s[k] !== " " && s[k] !== "\t") k++;
      const raw = s.slice(i, k);
      if (raw.includes("?")) fail("URI with headers must be in <>");
      const uri = parseUri(raw);
      const r = readParams(s, k);
      return { addr: { uri, params: r.params }, end: r.end };
    }
  }
  // s[i] === "<": RAQUOT/LAQUOT carry no LWS inside the brackets (RFC 4475 §3.1.2.14).
  const close = s.indexOf(">", i);
  if (close < 0) fail("missing >");
  const inner = s.slice(i + 1, close);
  const uri = parseUri(inner);
  const r = readParams(s, close + 1);
  return { addr: { displayName, uri, params: r.params }, end: r.end };
}

function readList<T>(s: string, one: (s: string, i: number) => { value: T; end: number }): T[] {
  const out: T[] = [];
  let i = 0;
  for (;;) {
    const r = one(s, i);
    out.push(r.value);
    i = skipWs(s, r.end);
    if (i >= s.length) return out;
    if (s[i] !== ",") fail("unexpected character");
    i++;
  }
}

export function parseNameAddr(s: string): NameAddr {
  const r = readNameAddr(s, 0);
  if (skipWs(s, r.end) !== s.length) fail("trailing characters after address");
  return r.addr;
}

export function parseNameAddrList(s: string): NameAddr[] {
  return readList(s, (x, i) => {
    const r = readNameAddr(x, i);
    return { value: r.addr, end: r.end };
  });
}

export function serializeNameAddr(a: NameAddr): string {
  if (a.star) return `*${serializeParams(a.params, ";")}`;
  const dn =
    a.displayName === undefined
      ? ""
      : isToken(a.displayName)
        ? `${a.displayName} `
        : `${quote(a.displayName)} `;
  return `${dn}<${serializeUri(a.uri)}>${serializeParams(a.params, ";")}`;
}

function readToken(s: string, i: number): { value: string; end: number } {
  let j = i;
  while (j < s.length && TOKEN_CHARS.has(s[j]!)) j++;
  if (j === i) fail("expected token");
  return { value: s.slice(i, j), end: j };
}

function readVia(s: string, start: number): { value: Via; end: number } {
  // via-parm = sent-protocol LWS sent-by *( SEMI via-params ); SLASH = SWS "/" SWS.
  let i = skipWs(s, start);
  const name = readToken(s, i);
  i = skipWs(s, name.end);
  if (s[i] !== "/") fail("bad Via protocol");
  const ver = readToken(s, skipWs(s, i + 1));
  i = skipWs(s, ver.end);
  if (s[i] !== "/") fail("bad Via protocol");
  const transport = readToken(s, skipWs(s, i + 1));
  i = skipWs(s, transport.end);
  if (i === transport.end) fail("missing Via sent-by");
  let j = i;
  if (s[j] === "[") {
    j = s.indexOf("]", j);
    if (j < 0) fail("bad Via host");
    j++;
  }
  while (j < s.length && s[j] !== ";" && s[j] !== "," && s[j] !== " " && s[j] !== "\t") j++;
  let sentBy = s.slice(i, j);
  // sent-by = host [ COLON port ]; COLON carries SWS.
  const k = skipWs(s, j);
  if (s[k] === ":") {
    const p = skipWs(s, k + 1);
    let e = p;
    while (e < s.length && s[e]! >= "0" && s[e]! <= "9") e++;
    sentBy += `:${s.slice(p, e)}`;
    j = e;
  }
  const hp = readHostPort(sentBy);
  const r = readParams(s, j);
  return {
    value: {
      protocol: `${name.value}/${ver.value}`.toUpperCase(),
      transport: transport.value.toUpperCase(),
      host: hp.host,
      port: hp.port,
      params: r.params,
    },
    end: r.end,
  };
}

export function parseViaList(s: string): Via[] {
  return readList(s, readVia);
}

export function serializeVia(v: Via): string {
  return `${v.protocol}/${v.transport} ${v.host}${v.port === undefined ? "" : `:${v.port}`}${serializeParams(v.params, ";")}`;
}

/** CSeq = 1*DIGIT LWS Method; "The sequence number MUST be expressible as a 32-bit unsigned integer and MUST be less than 2**31" (§8.1.1.5). */
export function parseCSeq(s: string): CSeq {
  const m = /^[ \t]*([0-9]{1,10})[ \t]+([A-Za-z0-9\-.!%*_+`'~]+)[ \t]*$/.exec(s);
  if (!m) fail("bad CSeq");
  const seq = Number(m[1]);
  if (seq >= 2 ** 31) fail("CSeq number too large");
  return { seq, method: m[2]! };
}

/** Split a comma-separated header value at top-level commas (outside quotes and <>). */
export function splitList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inQuote = false;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inQuote) {
      if (c === "\\") i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === "<") depth++;
    else if (c === ">") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0) {
      out.push(s.slice(from, i).trim());
      from = i + 1;
    }
  }
  out.push(s.slice(from).trim());
  return out.filter((x) => x !== "");
}

/** RFC 3261 §19.1.4: compare user parts unescaped. */
export function unescapeUri(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}
