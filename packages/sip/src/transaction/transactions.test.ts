import { describe, expect, it } from "vitest";
import { createResponse } from "../builders.js";
import { FakeClock } from "../clock.js";
import type { SipMessage, SipRequest, SipResponse } from "../message.js";
import { parseMessage } from "../parser.js";
import type { InviteServerTransaction } from "./invite-server.js";
import { type ClientTransaction, TransactionLayer } from "./layer.js";

function req(method: string, branch = "z9hG4bKabc"): SipRequest {
  const m = parseMessage(
    `${method} sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\nCall-ID: call-1\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`,
  );
  if (m.kind !== "request") throw new Error("request expected");
  return m;
}

function setup(reliable = false) {
  const clock = new FakeClock();
  const layer = new TransactionLayer(clock);
  const sent: SipMessage[] = [];
  const events: string[] = [];
  const sink = { reliable, send: (m: SipMessage) => sent.push(m) };
  const tu = {
    onResponse: (r: SipResponse) => events.push(`response ${r.status}`),
    onTimeout: () => events.push("timeout"),
    onTransportError: () => events.push("transport-error"),
  };
  return { clock, layer, sent, events, sink, tu };
}

const sentLines = (sent: SipMessage[]) =>
  sent.map((m) => (m.kind === "request" ? m.method : String(m.status)));

describe("INVITE client transaction (§17.1.1, RFC 6026)", () => {
  it("timer A doubles from T1 and timer B times out after 64*T1 over UDP", () => {
    const { clock, layer, sent, events, sink, tu } = setup();
    layer.createClient(req("INVITE"), sink, tu);
    const at: number[] = [];
    const count = () => sent.length;
    let last = count();
    for (let t = 0; t < 32_000; t += 100) {
      clock.advance(100);
      if (count() !== last) {
        at.push(clock.now());
        last = count();
      }
    }
    // A fires at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; B at 32 s.
    expect(at).toEqual([500, 1500, 3500, 7500, 15500, 31500]);
    expect(events).toEqual(["timeout"]);
    expect(layer.size.clients).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("no retransmission over a reliable transport", () => {
    const { clock, layer, sent, sink, tu } = setup(true);
    layer.createClient(req("INVITE"), sink, tu);
    clock.advance(31_000);
    expect(sent).toHaveLength(1);
  });

  for (const status of [100, 180, 183]) {
    it(`${status} moves to Proceeding and stops timer A`, () => {
      const { clock, layer, sent, events, sink, tu } = setup();
      const tx = layer.createClient(req("INVITE"), sink, tu);
      layer
        .matchClient(createResponse(req("INVITE"), status, { toTag: "b" }))
        ?.receiveResponse(createResponse(req("INVITE"), status, { toTag: "b" }));
      expect(tx.state).toBe("proceeding");
      clock.advance(10_000);
      expect(sent).toHaveLength(1);
      expect(events).toEqual([`response ${status}`]);
    });
  }

  for (const status of [200, 202, 299]) {
    it(`${status} moves to Accepted, repeated 2xx reach the TU, timer M ends it`, () => {
      const { clock, layer, events, sink, tu } = setup();
      const tx = layer.createClient(req("INVITE"), sink, tu);
      const res = createResponse(req("INVITE"), status, { toTag: "b" });
      tx.receiveResponse(res);
      tx.receiveResponse(res);
      expect(tx.state).toBe("accepted");
      expect(events).toEqual([`response ${status}`, `response ${status}`]);
      clock.advance(32_000);
      expect(tx.state).toBe("terminated");
      expect(layer.size.clients).toBe(0);
    });
  }

  for (const status of [300, 404, 486, 503, 603]) {
    it(`${status} sends ACK, moves to Completed, re-ACKs retransmissions, timer D ends it`, () => {
      const { clock, layer, sent, events, sink, tu } = setup();
      const tx = layer.createClient(req("INVITE"), sink, tu);
      const res = createResponse(req("INVITE"), status, { toTag: "b" });
      tx.receiveResponse(res);
      tx.receiveResponse(res);
      expect(sentLines(sent)).toEqual(["INVITE", "ACK", "ACK"]);
      const ack = sent[1] as SipRequest;
      expect(ack.topVia?.params.get("branch")).toBe("z9hG4bKabc");
      expect(ack.toTag).toBe("b");
      expect(ack.cseq).toEqual({ seq: 1, method: "ACK" });
      expect(events).toEqual([`response ${status}`]);
      expect(tx.state).toBe("completed");
      clock.advance(31_999);
      expect(tx.state).toBe("completed");
      clock.advance(1);
      expect(tx.state).toBe("terminated");
    });
  }

  it("timer D is zero over a reliable transport", () => {
    const { clock, layer, sink, tu } = setup(true);
    const tx = layer.createClient(req("INVITE"), sink, tu);
    tx.receiveResponse(createResponse(req("INVITE"), 486, { toTag: "b" }));
    clock.advance(0);
    expect(tx.state).toBe("terminated");
  });

  it("transport error terminates and tells the TU", () => {
    const { layer, events, sink, tu } = setup();
    const tx = layer.createClient(req("INVITE"), sink, tu) as ClientTransaction;
    tx.transportError();
    expect(events).toEqual(["transport-error"]);
  });
});

describe("non-INVITE client transaction (§17.1.2)", () => {
  it("timer E: T1 doubling capped at T2, F times out at 64*T1", () => {
    const { clock, layer, sent, events, sink, tu } = setup();
    layer.createClient(req("OPTIONS"), sink, tu);
    const at: number[] = [];
    let last = sent.length;
    for (let t = 0; t < 32_000; t += 100) {
      clock.advance(100);
      if (sent.length !== last) {
        at.push(clock.now());
        last = sent.length;
      }
    }
    expect(at).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(events).toEqual(["timeout"]);
    expect(clock.pending).toBe(0);
  });

  it("in Proceeding, E fires every T2", () => {
    const { clock, layer, sent, sink, tu } = setup();
    const tx = layer.createClient(req("OPTIONS"), sink, tu);
    tx.receiveResponse(createResponse(req("OPTIONS"), 100));
    clock.advance(500);
    expect(sent).toHaveLength(2);
    clock.advance(3999);
    expect(sent).toHaveLength(2);
    clock.advance(1);
    expect(sent).toHaveLength(3);
  });

  for (const status of [200, 302, 404, 500, 600]) {
    it(`${status} completes, later copies are absorbed, K (T4) ends it`, () => {
      const { clock, layer, events, sink, tu } = setup();
      const tx = layer.createClient(req("OPTIONS"), sink, tu);
      const res = createResponse(req("OPTIONS"), status, { toTag: "b" });
      layer.matchClient(res)?.receiveResponse(res);
      layer.matchClient(res)?.receiveResponse(res);
      expect(events).toEqual([`response ${status}`]);
      expect(tx.state).toBe("completed");
      clock.advance(4999);
      expect(tx.state).toBe("completed");
      clock.advance(1);
      expect(tx.state).toBe("terminated");
      expect(layer.size.clients).toBe(0);
    });
  }

  it("a response for another method does not match (§17.1.3)", () => {
    const { layer, sink, tu } = setup();
    layer.createClient(req("OPTIONS"), sink, tu);
    expect(layer.matchClient(createResponse(req("INFO"), 200))).toBeUndefined();
  });
});

describe("INVITE server transaction (§17.2.1, RFC 6026)", () => {
  it("retransmitted INVITE gets the last provisional again", () => {
    const { layer, sent, sink } = setup();
    const tx = layer.createServer(req("INVITE"), sink, { onTimeout: () => {} }) as InviteServerTransaction;
    tx.respond(createResponse(req("INVITE"), 100));
    tx.respond(createResponse(req("INVITE"), 180, { toTag: "t" }));
    layer.matchServer(req("INVITE"))?.receiveRequest(req("INVITE"));
    expect(sentLines(sent)).toEqual(["100", "180", "180"]);
  });

  for (const status of [200, 299]) {
    it(`${status} moves to Accepted, absorbs INVITE retransmissions, L ends it`, () => {
      const { clock, layer, sent, sink } = setup();
      const tx = layer.createServer(req("INVITE"), sink, { onTimeout: () => {} }) as InviteServerTransaction;
      tx.respond(createResponse(req("INVITE"), status, { toTag: "t" }));
      tx.receiveRequest(req("INVITE"));
      expect(sentLines(sent)).toEqual([String(status)]);
      tx.respond(createResponse(req("INVITE"), status, { toTag: "t" }));
      expect(sent).toHaveLength(2);
      clock.advance(32_000);
      expect(tx.state).toBe("terminated");
      expect(layer.size.servers).toBe(0);
    });
  }

  for (const status of [300, 404, 487, 500, 600]) {
    it(`${status}: timer G retransmits (T1 doubling, capped at T2) until ACK; then I`, () => {
      const { clock, layer, sent, sink } = setup();
      const tx = layer.createServer(req("INVITE"), sink, { onTimeout: () => {} }) as InviteServerTransaction;
      tx.respond(createResponse(req("INVITE"), status, { toTag: "t" }));
      clock.advance(500);
      clock.advance(1000);
      clock.advance(2000);
      clock.advance(4000);
      clock.advance(4000);
      expect(sent).toHaveLength(6);
      const ack = req("ACK");
      layer.matchServer(ack)?.receiveRequest(ack);
      expect(tx.state).toBe("confirmed");
      clock.advance(4000);
      expect(sent).toHaveLength(6);
      clock.advance(1000);
      expect(tx.state).toBe("terminated");
      expect(clock.pending).toBe(0);
    });
  }

  it("timer H ends it without an ACK and tells the TU", () => {
    const { clock, layer, sink } = setup();
    const events: string[] = [];
    const tx = layer.createServer(req("INVITE"), sink, {
      onTimeout: () => events.push("H"),
    }) as InviteServerTransaction;
    tx.respond(createResponse(req("INVITE"), 486, { toTag: "t" }));
    clock.advance(32_000);
    expect(events).toEqual(["H"]);
    expect(tx.state).toBe("terminated");
  });

  it("CANCEL finds the INVITE transaction by branch (§9.2)", () => {
    const { layer, sink } = setup();
    const tx = layer.createServer(req("INVITE"), sink, { onTimeout: () => {} });
    expect(layer.matchCancelled(req("CANCEL"))).toBe(tx);
    expect(layer.matchCancelled(req("CANCEL", "z9hG4bKother"))).toBeUndefined();
  });
});

describe("non-INVITE server transaction (§17.2.2)", () => {
  it("absorbs retransmissions in Trying, repeats the final in Completed, J = 64*T1", () => {
    const { clock, layer, sent, sink } = setup();
    const tx = layer.createServer(req("OPTIONS"), sink, { onTimeout: () => {} });
    tx.receiveRequest(req("OPTIONS"));
    expect(sent).toHaveLength(0);
    tx.respond(createResponse(req("OPTIONS"), 200, { toTag: "t" }));
    tx.receiveRequest(req("OPTIONS"));
    expect(sentLines(sent)).toEqual(["200", "200"]);
    clock.advance(31_999);
    expect(tx.state).toBe("completed");
    clock.advance(1);
    expect(tx.state).toBe("terminated");
  });

  it("J is zero over a reliable transport", () => {
    const { clock, layer, sink } = setup(true);
    const tx = layer.createServer(req("OPTIONS"), sink, { onTimeout: () => {} });
    tx.respond(createResponse(req("OPTIONS"), 404, { toTag: "t" }));
    clock.advance(0);
    expect(tx.state).toBe("terminated");
  });

  it("RFC 2543 requests (no magic cookie) match by Call-ID, CSeq, tags and Via", () => {
    const { layer, sink } = setup();
    const tx = layer.createServer(req("OPTIONS", "oldbranch"), sink, { onTimeout: () => {} });
    expect(layer.matchServer(req("OPTIONS", "oldbranch"))).toBe(tx);
  });
});
