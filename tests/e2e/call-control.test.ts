import { readFileSync } from "node:fs";
import { parseWav, wavSamples } from "@hotline12345/media";
import { io as connect } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { splitStereo, toneShare } from "../media-interop/support/audio.js";
import { binaryAvailable } from "../media-interop/support/peers.js";
import type { Baresip } from "../support/baresip.js";
import { Hotline, until } from "../support/hotline.js";

const haveBaresip = binaryAvailable("baresip");

// Each phone sends its own tone, so what anyone hears tells whose voice reached them.
const CALLER = 1000;
const A1001 = 600;
const B1002 = 800;
const SUP2001 = 1400;

/** The last `seconds` of what a phone heard (baresip's sndfile dump, 8 kHz mono, still growing). */
function heardTail(phone: Baresip, seconds: number): Int16Array {
  const files = phone.heardFiles().sort();
  const file = files[files.length - 1];
  if (!file) throw new Error("the phone has heard nothing yet");
  const bytes = readFileSync(file);
  // The header's sizes are only written when the file closes: take everything after "data".
  const data = bytes.indexOf("data", 12, "latin1") + 8;
  const all = new Int16Array(
    bytes.buffer.slice(
      bytes.byteOffset + data,
      bytes.byteOffset + bytes.length - ((bytes.length - data) % 2),
    ),
  );
  return all.subarray(Math.max(0, all.length - seconds * 8000));
}

/**
 * A tone's share judged per 20 ms frame, the median of them: one concealed or late frame on a
 * loaded machine breaks the phase across a whole second, not the tone the channel carries.
 */
function recordedShare(x: Int16Array, freq: number): number {
  const shares: number[] = [];
  for (let i = 0; i + 160 <= x.length; i += 160) shares.push(toneShare(x.subarray(i, i + 160), freq));
  shares.sort((a, b) => a - b);
  return shares[shares.length >> 1] ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!haveBaresip)("call control on a live call: transfer, three-way, supervision", () => {
  let h: Hotline;
  let a: Baresip;
  let b: Baresip;
  beforeEach(async () => {
    h = await Hotline.start();
    a = await h.agentPhone("1001", A1001);
    b = await h.agentPhone("1002", B1002);
  }, 90_000);
  afterEach(async () => {
    await h?.close();
  });

  /** A caller reaches 1001 (1002 kept not ready until then); resolves with the call id and its data. */
  async function callAnsweredBy1001(): Promise<{
    callId: string;
    caller: Baresip;
    data: Record<string, string>;
  }> {
    await h.setState("1002", "NOT_READY", "meeting");
    await h.setState("1001", "READY");
    const answered = new Promise<{ id: string; data: Record<string, string> }>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => {
        if (e.agentId === "1001") resolve({ id: e.item.id, data: { ...(e.item.data ?? {}) } });
      }),
    );
    const caller = await h.dial("13812345678", CALLER);
    const { id, data } = await answered;
    await h.recordingOf(id);
    await h.setState("1002", "READY");
    return { callId: id, caller, data };
  }

  async function control(who: string, callId: string, op: string, body?: unknown) {
    const res = await h.api("POST", `/api/calls/${callId}/${op}`, await h.tokenOf(who), body);
    const text = await res.text();
    expect(res.status, `${op}: ${text}`).toBe(200);
    return JSON.parse(text) as { call: { caller: string; agentId?: string; held: boolean } };
  }

  /** The recording row of the segment with `agentId`, closed, as left/right channels. */
  async function segment(callId: string, agentId: string) {
    const row = await until(`recording with ${agentId}`, 30_000, async () =>
      h.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("call_id", "=", callId)
        .where("agent_id", "=", agentId)
        .where("seconds", "is not", null)
        .executeTakeFirst(),
    );
    const { left, right } = splitStereo(wavSamples(parseWav(readFileSync(row.path))));
    const mid = (x: Int16Array) =>
      x.subarray(Math.floor(x.length / 2) - 4000, Math.floor(x.length / 2) + 4000);
    return { left: mid(left), right: mid(right) };
  }

  async function kinds(callId: string): Promise<string[]> {
    return (
      await h.server.store.db
        .selectFrom("call_events")
        .select("kind")
        .where("call_id", "=", callId)
        .orderBy("id")
        .execute()
    ).map((e) => e.kind);
  }

  it("blind transfer to agent 1002 carries the attached data; 1001 wraps up; the caller talks to 1002, recorded", async () => {
    const { callId, caller, data } = await callAnsweredBy1001();
    const offeredTo1002 = new Promise<Record<string, string>>((resolve) =>
      h.server.runtime.acd.events.on("call.offered", (e) => {
        if (e.agentId === "1002" && e.item.id === callId) resolve({ ...(e.item.data ?? {}) });
      }),
    );
    await sleep(1500);
    // An agent cannot transfer someone else's call.
    const foreign = await h.api("POST", `/api/calls/${callId}/transfer`, await h.tokenOf("1002"), {
      to: { kind: "queue", queueId: "general" },
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { code: string }).code).toBe("HOTLINE_ERR_NOT_YOUR_CALL");

    const r = await control("1001", callId, "transfer", {
      to: { kind: "agent", agentId: "1002" },
      mode: "blind",
      data: { ticket: "T-42" },
    });
    expect(r.call.caller).toBe("138****5678"); // masked for an agent
    const seen = await offeredTo1002;
    expect(seen).toMatchObject({ ...data, ticket: "T-42" });
    expect(["WRAP_UP", "READY"]).toContain((await h.server.runtime.agentView("1001")).state);
    await until("1002 on the call", 20_000, async () =>
      (await h.server.runtime.agentView("1002")).state === "ON_CALL" ? true : undefined,
    );
    const rec = await until("second recording", 20_000, async () =>
      h.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("call_id", "=", callId)
        .where("agent_id", "=", "1002")
        .executeTakeFirst(),
    );
    await h.recorded(rec.path, 3);
    await caller.command("hangup");
    const seg = await segment(callId, "1002");
    expect(recordedShare(seg.left, CALLER)).toBeGreaterThan(0.8);
    expect(recordedShare(seg.right, B1002)).toBeGreaterThan(0.8);
    const k = await until("completed", 20_000, async () => {
      const x = await kinds(callId);
      return x.includes("completed") ? x : undefined;
    });
    expect(k).toEqual(expect.arrayContaining(["answered", "transferred", "completed"]));
    const call = await h.callEnded(callId);
    expect(call.outcome).toBe("completed");
  }, 120_000);

  it("attended transfer: 1001 consults 1002 (caller on hold), completes; the consult and the caller's talk with 1002 are recorded", async () => {
    const { callId, data } = await callAnsweredBy1001();
    const consultOffered = new Promise<{ id: string; data: Record<string, string> }>((resolve) =>
      h.server.runtime.acd.events.on("call.offered", (e) => {
        if (e.agentId === "1002") resolve({ id: e.item.id, data: { ...(e.item.data ?? {}) } });
      }),
    );
    await sleep(1500);
    const r = await control("1001", callId, "transfer", {
      to: { kind: "agent", agentId: "1002" },
      mode: "attended",
    });
    expect(r.call.held).toBe(true);
    const consult = await consultOffered;
    expect(consult.id).toBe(`${callId}~consult-1`);
    expect(consult.data).toMatchObject(data);
    await until("consult answered", 20_000, async () => {
      const v = await h.api("GET", `/api/calls/${callId}`, await h.tokenOf("1001"));
      const body = (await v.json()) as { consult?: { answered: boolean } };
      return body.consult?.answered ? true : undefined;
    });
    await sleep(2500);
    // While consulting, 1001 hears 1002 and the caller hears hold music, not the agents.
    expect(toneShare(heardTail(a, 1), B1002)).toBeGreaterThan(0.8);
    expect((await h.server.runtime.agentView("1001")).state).toBe("HOLD");

    await control("1001", callId, "consult/complete");
    expect(["WRAP_UP", "READY"]).toContain((await h.server.runtime.agentView("1001")).state);
    const third = await until("recording of the caller with 1002", 20_000, async () =>
      h.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("call_id", "=", callId)
        .where("agent_id", "=", "1002")
        .where("path", "like", "%-3.wav")
        .executeTakeFirst(),
    );
    await h.recorded(third.path, 3);
    await sleep(500);
    expect(toneShare(heardTail(b, 1), CALLER)).toBeGreaterThan(0.8);
    await b.command("hangup");
    const rows = await until("three closed recordings", 30_000, async () => {
      const x = await h.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("call_id", "=", callId)
        .where("seconds", "is not", null)
        .orderBy("started_at")
        .execute();
      return x.length === 3 ? x : undefined;
    });
    expect(rows.map((x) => x.agent_id)).toEqual(["1001", "1002", "1002"]);
    // The consult segment: 1001 left, 1002 right.
    const consultRec = splitStereo(wavSamples(parseWav(readFileSync(rows[1]!.path))));
    const mid = (x: Int16Array) =>
      x.subarray(Math.floor(x.length / 2) - 4000, Math.floor(x.length / 2) + 4000);
    // 0.8, not 0.9: a second of audio on a loaded machine may carry a concealed frame or two.
    expect(recordedShare(mid(consultRec.left), A1001)).toBeGreaterThan(0.8);
    expect(recordedShare(mid(consultRec.right), B1002)).toBeGreaterThan(0.8);
    // The caller's talk with 1002: caller left, 1002 right.
    const last = splitStereo(wavSamples(parseWav(readFileSync(rows[2]!.path))));
    expect(recordedShare(mid(last.left), CALLER)).toBeGreaterThan(0.8);
    expect(recordedShare(mid(last.right), B1002)).toBeGreaterThan(0.8);
    const k = await until("completed", 20_000, async () => {
      const x = await kinds(callId);
      return x.includes("completed") ? x : undefined;
    });
    expect(k).toEqual(
      expect.arrayContaining(["held", "consult", "consult-answered", "transferred", "completed"]),
    );
    // The call record keeps the agent who answered first; the events tell the rest.
    expect(
      (
        await h.server.store.db
          .selectFrom("calls")
          .select("agent_id")
          .where("id", "=", callId)
          .executeTakeFirstOrThrow()
      ).agent_id,
    ).toBe("1001");
  }, 120_000);

  it("three-way: caller, 1001 and 1002 each hear the other two", async () => {
    const { callId, caller } = await callAnsweredBy1001();
    await sleep(1000);
    await control("1001", callId, "transfer", { to: { kind: "agent", agentId: "1002" }, mode: "attended" });
    await until("consult answered", 20_000, async () => {
      const v = await h.api("GET", `/api/calls/${callId}`, await h.tokenOf("1001"));
      const body = (await v.json()) as { consult?: { answered: boolean } };
      return body.consult?.answered ? true : undefined;
    });
    await control("1001", callId, "conference");
    await sleep(3000);
    const heard = { caller: heardTail(caller, 1), a: heardTail(a, 1), b: heardTail(b, 1) };
    for (const [who, x, others, self] of [
      ["caller", heard.caller, [A1001, B1002], CALLER],
      ["1001", heard.a, [CALLER, B1002], A1001],
      ["1002", heard.b, [CALLER, A1001], B1002],
    ] as const) {
      for (const f of others) expect(toneShare(x, f), `${who} hears ${f} Hz`).toBeGreaterThan(0.2);
      expect(toneShare(x, self), `${who} does not hear itself`).toBeLessThan(0.05);
    }
    // 1001 leaves: the caller and 1002 carry on.
    await a.command("hangup");
    await sleep(2500);
    expect(toneShare(heardTail(caller, 1), B1002)).toBeGreaterThan(0.8);
    expect(toneShare(heardTail(b, 1), CALLER)).toBeGreaterThan(0.8);
    expect(await kinds(callId)).toEqual(expect.arrayContaining(["conferenced", "transferred"]));
    await caller.command("hangup");
  }, 120_000);

  it("supervisor 2001 listens (heard by none), then whispers (heard by the agent only)", async () => {
    const sup = await h.agentPhone("2001", SUP2001);
    const { callId, caller } = await callAnsweredBy1001();
    // An agent may not monitor.
    const denied = await h.api("POST", `/api/calls/${callId}/monitor`, await h.tokenOf("1002"), {
      mode: "listen",
    });
    expect(denied.status).toBe(403);
    const r = await control("2001", callId, "monitor", { mode: "listen" });
    expect(r.call.caller).toBe("13812345678"); // supervisors see the number whole
    await sleep(3000);
    const listen = { sup: heardTail(sup, 1), caller: heardTail(caller, 1), a: heardTail(a, 1) };
    expect(toneShare(listen.sup, CALLER)).toBeGreaterThan(0.2);
    expect(toneShare(listen.sup, A1001)).toBeGreaterThan(0.2);
    expect(toneShare(listen.caller, SUP2001)).toBeLessThan(0.05);
    expect(toneShare(listen.a, SUP2001)).toBeLessThan(0.05);
    expect(toneShare(listen.caller, A1001)).toBeGreaterThan(0.8);
    expect(toneShare(listen.a, CALLER)).toBeGreaterThan(0.8);

    await control("2001", callId, "monitor", { mode: "whisper" });
    await sleep(3000);
    const whisper = { caller: heardTail(caller, 1), a: heardTail(a, 1) };
    expect(toneShare(whisper.a, SUP2001)).toBeGreaterThan(0.2);
    expect(toneShare(whisper.a, CALLER)).toBeGreaterThan(0.2);
    expect(toneShare(whisper.caller, SUP2001)).toBeLessThan(0.05);
    expect(toneShare(whisper.caller, A1001)).toBeGreaterThan(0.8);
    expect(await kinds(callId)).toContain("monitored");
    await caller.command("hangup");
    await sup.waitFor(/terminated|closed/i, 10_000);
  }, 120_000);

  it("REST hold plays music and retrieve brings the agent back; a cancelled consult returns to the caller; barge is heard by the caller; take-over leaves the supervisor with the caller", async () => {
    const sup = await h.agentPhone("2001", SUP2001);
    const { callId, caller } = await callAnsweredBy1001();
    await sleep(1500);
    await control("1001", callId, "hold");
    expect((await h.server.runtime.agentView("1001")).state).toBe("HOLD");
    await sleep(2500);
    expect(toneShare(heardTail(caller, 1), A1001)).toBeLessThan(0.05);
    await control("1001", callId, "retrieve");
    await sleep(2500);
    expect(toneShare(heardTail(caller, 1), A1001)).toBeGreaterThan(0.8);

    await control("1001", callId, "transfer", { to: { kind: "agent", agentId: "1002" }, mode: "attended" });
    await until("consult answered", 20_000, async () => {
      const v = await h.api("GET", `/api/calls/${callId}`, await h.tokenOf("1001"));
      return ((await v.json()) as { consult?: { answered: boolean } }).consult?.answered || undefined;
    });
    await control("1001", callId, "consult/cancel");
    expect(["WRAP_UP", "READY"]).toContain((await h.server.runtime.agentView("1002")).state);
    expect((await h.server.runtime.agentView("1001")).state).toBe("ON_CALL");
    await sleep(2500);
    expect(toneShare(heardTail(caller, 1), A1001)).toBeGreaterThan(0.8);

    await control("2001", callId, "monitor", { mode: "barge" });
    await sleep(3000);
    expect(toneShare(heardTail(caller, 1), SUP2001)).toBeGreaterThan(0.2);
    expect(toneShare(heardTail(a, 1), SUP2001)).toBeGreaterThan(0.2);

    const taken = await control("2001", callId, "takeover");
    expect(taken.call.agentId).toBe("2001");
    expect(["WRAP_UP", "READY"]).toContain((await h.server.runtime.agentView("1001")).state);
    await sleep(3000);
    expect(toneShare(heardTail(caller, 1), SUP2001)).toBeGreaterThan(0.8);
    expect(toneShare(heardTail(sup, 1), CALLER)).toBeGreaterThan(0.8);
    expect(await kinds(callId)).toEqual(
      expect.arrayContaining(["held", "retrieved", "consult", "consult-failed", "monitored", "taken-over"]),
    );
    await caller.command("hangup");
    await sup.waitFor(/terminated|closed/i, 10_000);
  }, 150_000);

  it("socket.io: the agent holds and retrieves with call.command; the agent (masked) and the board (whole) get call.updated; a bad command is refused with a stable code", async () => {
    const { callId, caller } = await callAnsweredBy1001();
    type View = { callId: string; caller: string; held: boolean; ended: boolean };
    type Ack = { ok: true; data: View } | { ok: false; code: string; message: string };
    const open = async (who: string) => {
      const s = connect(h.server.url, {
        path: "/socket.io",
        auth: { token: await h.tokenOf(who) },
        transports: ["websocket"],
      });
      await new Promise<void>((resolve, reject) => {
        s.once("hello", () => resolve());
        s.once("connect_error", reject);
      });
      return s;
    };
    const agent = await open("1001");
    const board = await open("2001");
    const seenByAgent: View[] = [];
    const seenByBoard: View[] = [];
    agent.on("call.updated", (v: View) => seenByAgent.push(v));
    board.on("call.updated", (v: View) => seenByBoard.push(v));
    const send = (cmd: Record<string, unknown>) =>
      new Promise<Ack>((resolve) => agent.emit("call.command", { callId, ...cmd }, resolve));
    try {
      const held = await send({ op: "hold" });
      expect(held).toMatchObject({ ok: true, data: { held: true, caller: "138****5678" } });
      expect((await h.server.runtime.agentView("1001")).state).toBe("HOLD");
      expect(await send({ op: "retrieve" })).toMatchObject({ ok: true, data: { held: false } });
      expect(await send({ op: "fly" })).toMatchObject({ ok: false, code: "HOTLINE_ERR_VALIDATION" });
      expect(await send({ op: "takeover" })).toMatchObject({ ok: false, code: "HOTLINE_ERR_FORBIDDEN" });
      expect(await send({ op: "consult-complete" })).toMatchObject({
        ok: false,
        code: "HOTLINE_ERR_CALL_STATE",
      });
      await until("pushes", 10_000, () =>
        seenByAgent.some((v) => v.held) && seenByBoard.some((v) => v.held) ? true : undefined,
      );
      expect(seenByAgent.every((v) => v.caller === "138****5678")).toBe(true);
      expect(seenByBoard.every((v) => v.caller === "13812345678")).toBe(true);
      await caller.command("hangup");
      await until("the end pushed", 15_000, () => (seenByAgent.some((v) => v.ended) ? true : undefined));
    } finally {
      agent.close();
      board.close();
    }
  }, 120_000);
});
