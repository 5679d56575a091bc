import { describe, expect, it } from "vitest";
import { loadTorture } from "../test/torture.js";
import { SipParseError } from "./errors.js";
import type { SipMessage } from "./message.js";
import { parseMessage, SipStreamFramer } from "./parser.js";
import { serializeMessage } from "./serializer.js";

function shape(m: SipMessage): unknown {
  return {
    start: m.kind === "request" ? [m.method, m.uri] : [m.status, m.reason],
    vias: m.vias,
    from: m.from,
    to: m.to,
    cseq: m.cseq,
    callId: m.callId,
    headers: m.headers.list.filter((h) => h.name !== "Content-Length"),
    body: m.body.toString("hex"),
  };
}

describe("RFC 4475 §3.1.1 valid messages", () => {
  for (const { name, data } of loadTorture("valid")) {
    it(`${name} parses and round-trips`, () => {
      const m = parseMessage(data);
      const again = parseMessage(serializeMessage(m));
      expect(shape(again)).toEqual(shape(m));
    });
  }

  const get = (n: string) => parseMessage(loadTorture("valid").find((x) => x.name === n)!.data);

  it("wsinv: folded, spaced and compact headers", () => {
    const m = get("wsinv");
    if (m.kind !== "request") throw new Error("request expected");
    expect(m.uri.params.get("unknownparam")).toBeNull();
    expect(m.to.params.get("tag")).toBe("1918181833n");
    expect(m.from.displayName).toBe('J Rosenberg \\"');
    expect(m.from.params.get("tag")).toBe("98asjd8");
    expect(m.headers.get("Max-Forwards")).toBe("0068");
    expect(m.cseq).toEqual({ seq: 9, method: "INVITE" });
    expect(m.vias.map((v) => [v.transport, v.host, v.params.get("branch")])).toEqual([
      ["UDP", "192.0.2.2", "390skdjuw"],
      ["TCP", "spindle.example.com", "z9hG4bK9ikj8"],
      ["UDP", "192.168.255.111", "z9hG4bK30239"],
    ]);
    expect(m.headers.get("Subject")).toBe("");
    expect(m.headers.get("NewFangledHeader")).toBe("newfangled value continued newfangled value");
    expect(m.contacts[0]?.displayName).toBe('Quoted string ""');
    expect(m.contacts[0]?.params.get("newparam")).toBe("newvalue");
    expect(m.contacts[0]?.params.get("q")).toBe("0.33");
    expect(m.body.length).toBe(150);
  });

  it("intmeth: unusual method, URI user with ? and ;, escaped controls in quotes", () => {
    const m = get("intmeth");
    if (m.kind !== "request") throw new Error("request expected");
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(m.uri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(m.uri.host).toBe("example.com");
    expect(m.to.displayName).toBe("BEL:\x07 NUL:\x00 DEL:\x7f");
  });

  it("escnull / esc02: two Contacts, C%6Fntact is another header", () => {
    expect(get("escnull").contacts).toHaveLength(2);
    const e = get("esc02");
    expect(e.kind === "request" && e.method).toBe("RE%47IST%45R");
    expect(e.contacts).toHaveLength(2);
  });

  it("mpart01: a multipart body with binary octets (NUL, CRLF, 0xFF) passes through untouched", () => {
    const m = get("mpart01");
    expect(m.headers.get("Content-Type")).toBe("multipart/mixed;boundary=7a9cbec02ceef655");
    expect(m.body.length).toBe(240);
    expect(
      m.body.includes(Buffer.from("3082015206092a864886f70d010702a0000d0a0d0a2d2dfffe00017f80", "hex")),
    ).toBe(true);
    expect(serializeMessage(m).subarray(-m.body.length).equals(m.body)).toBe(true);
  });

  it("dblreq: bytes after Content-Length in a datagram are discarded", () => {
    const m = get("dblreq");
    expect(m.kind === "request" && m.method).toBe("REGISTER");
    expect(m.body.length).toBe(0);
  });

  it("semiuri: ; inside the user part", () => {
    const m = get("semiuri");
    expect(m.kind === "request" && m.uri.user).toBe("user;par=u%40example.net");
    expect(m.headers.getAll("Accept")).toHaveLength(6);
  });

  it("transports: five Vias with unknown transports", () => {
    expect(get("transports").vias.map((v) => v.transport)).toEqual(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
  });

  it("unreason / noreason: UTF-8 and empty reason phrases", () => {
    const u = get("unreason");
    expect(u.kind === "response" && u.reason.startsWith("= 2**3 * 5**2 но")).toBe(true);
    const n = get("noreason");
    expect(n.kind === "response" && n.reason).toBe("");
  });
});

describe("RFC 4475 §3.1.2 invalid messages", () => {
  const expected: Record<string, { code: string; status: number }> = {
    badinv01: { code: "BAD_HEADER", status: 400 },
    clerr: { code: "BAD_CONTENT_LENGTH", status: 400 },
    ncl: { code: "BAD_CONTENT_LENGTH", status: 400 },
    scalar02: { code: "BAD_HEADER", status: 400 },
    scalarlg: { code: "BAD_HEADER", status: 400 },
    quotbal: { code: "BAD_HEADER", status: 400 },
    ltgtruri: { code: "BAD_URI", status: 400 },
    lwsruri: { code: "BAD_START_LINE", status: 400 },
    lwsstart: { code: "BAD_START_LINE", status: 400 },
    trws: { code: "BAD_START_LINE", status: 400 },
    escruri: { code: "BAD_URI", status: 400 },
    baddate: { code: "BAD_HEADER", status: 400 },
    regbadct: { code: "BAD_HEADER", status: 400 },
    badaspec: { code: "BAD_HEADER", status: 400 },
    baddn: { code: "BAD_HEADER", status: 400 },
    badvers: { code: "BAD_VERSION", status: 505 },
    mismatch01: { code: "CSEQ_MISMATCH", status: 400 },
    mismatch02: { code: "CSEQ_MISMATCH", status: 400 },
    bigcode: { code: "BAD_START_LINE", status: 400 },
    multi01: { code: "DUPLICATE_HEADER", status: 400 },
    mcl01: { code: "DUPLICATE_HEADER", status: 400 },
  };
  const all = loadTorture("invalid");
  it("has a verdict for every fixture", () => {
    expect(all.map((x) => x.name).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const { name, data } of all) {
    it(`${name} is rejected with ${expected[name]?.code}`, () => {
      let err: unknown;
      try {
        parseMessage(data);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SipParseError);
      const pe = err as SipParseError;
      expect(pe.code).toBe(expected[name]?.code);
      expect(pe.status).toBe(expected[name]?.status);
      expect(pe.reason).not.toMatch(/[\r\n]/);
      expect(pe.partial?.headers.get("Call-ID")).toContain(name);
    });
  }
});

describe("limits and framing", () => {
  const opts =
    "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n";
  it("rejects too many headers, long lines and big messages", () => {
    const many = `${opts}${"X-A: 1\r\n".repeat(300)}\r\n`;
    expect(() => parseMessage(many)).toThrow(expect.objectContaining({ code: "TOO_MANY_HEADERS" }));
    const long = `${opts}X-Long: ${"a".repeat(9000)}\r\n\r\n`;
    expect(() => parseMessage(long)).toThrow(expect.objectContaining({ code: "LINE_TOO_LONG" }));
    expect(() => parseMessage(Buffer.alloc(70_000, 65))).toThrow(
      expect.objectContaining({ code: "MESSAGE_TOO_LARGE" }),
    );
  });

  it("missing headers name the header", () => {
    expect(() => parseMessage("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n")).toThrow(
      expect.objectContaining({ code: "MISSING_HEADER", reason: "Missing From header" }),
    );
  });

  it("IPv6 references (RFC 5118)", () => {
    const m = parseMessage(
      'REGISTER sip:[2001:db8::10] SIP/2.0\r\nVia: SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111;received=[2001:db8::9:255]\r\nFrom: <sip:user@[2001:db8::10]>;tag=1\r\nTo: <sip:user@[2001:db8::10]:5070>\r\nCall-ID: v6\r\nCSeq: 1 REGISTER\r\nContact: "Caller" <sip:caller@[2001:db8::1]>\r\n\r\n',
    );
    expect(m.kind === "request" && m.uri.host).toBe("[2001:db8::10]");
    expect(m.topVia?.port).toBe(6050);
    expect(m.to.uri.port).toBe(5070);
    expect(() => parseMessage("REGISTER sip:[2001:db8::10 SIP/2.0\r\n\r\n")).toThrow(SipParseError);
  });

  it("multipart bodies pass through untouched", () => {
    const body = Buffer.from("--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n");
    const m = parseMessage(
      Buffer.concat([
        Buffer.from(
          `${opts}Content-Type: multipart/mixed;boundary=b\r\nContent-Length: ${body.length}\r\n\r\n`,
        ),
        body,
      ]),
    );
    expect(m.body.equals(body)).toBe(true);
    expect(serializeMessage(m).subarray(-body.length).equals(body)).toBe(true);
  });

  it("stream framer cuts by Content-Length, answers pings, fails on garbage length", () => {
    const f = new SipStreamFramer();
    const msg = `${opts}Content-Length: 4\r\n\r\nabcd`;
    const whole = Buffer.from(`\r\n\r\n${msg}${msg}`);
    const items = [
      ...f.push(whole.subarray(0, 10)),
      ...f.push(whole.subarray(10, 100)),
      ...f.push(whole.subarray(100)),
    ];
    expect(items.map((i) => i.kind)).toEqual(["ping", "message", "message"]);
    const first = items[1];
    expect(first?.kind === "message" && parseMessage(first.data).body.toString()).toBe("abcd");
    const g = new SipStreamFramer();
    expect(g.push(Buffer.from(`${opts}Content-Length: x\r\n\r\n`)).map((i) => i.kind)).toEqual(["error"]);
  });
});
