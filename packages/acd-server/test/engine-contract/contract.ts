/**
 * The engine port's contract, written against `Switch` and `Leg` only (src/engine/port.ts) and
 * checked with real SIP phones (baresip): what a phone hears is read from what it recorded, so
 * "A hears B" means B's tone reached A's ears through the engine, not that a method resolved.
 * Each engine kind runs it through its factory: `describeEngineContract("embedded", factory)`.
 *
 * After every test every leg the test made has ended and every bridge, conference, recording and
 * fork is closed, and the engine must then hold nothing open (`resources()` all 0): a leaked
 * port, endpoint, player or dialog fails the test that leaked it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseWav, wavSamples } from "@hotline12345/media";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DtmfKey, HangupCause, IncomingCall, Leg, LegEvents, Switch } from "../../src/engine/port.js";
import type { EngineFactory, EngineUnderTest } from "./engine.js";
import { binaryAvailable, dbfs, forkSink, Phone, toneShare, toneWav, until } from "./peers.js";

const DOMAIN = "contract.test";
const AGENTS = new Map([
  ["7001", "contract-7001"],
  ["7002", "contract-7002"],
  ["7003", "contract-7003"],
]);
/** Tones each party sends, far enough apart for the Goertzel shares to tell them apart. */
const CALLER_HZ = 1000;
const AGENT_HZ = 600;
const SUPERVISOR_HZ = 1700;
const PROMPT_HZ = 440;

const has =
  (freq: number, min = 0.3) =>
  (x: Int16Array) =>
    toneShare(x, freq) > min;
const lacks =
  (freq: number, max = 0.02) =>
  (x: Int16Array) =>
    toneShare(x, freq) < max;
const silent = (x: Int16Array) => dbfs(x) < -45;

/** The next `ended` of a leg (or the one it already had). */
function endedOf(leg: Leg): Promise<LegEvents["ended"]> {
  return new Promise((resolve) => leg.on("ended", resolve));
}

export function describeEngineContract(name: string, factory: EngineFactory): void {
  describe.skipIf(!binaryAvailable("baresip"))(`engine contract: ${name}`, () => {
    let engine: EngineUnderTest;
    let sw: Switch;
    let dir: string;
    const incoming: Leg[] = [];
    const waiting: ((leg: Leg) => void)[] = [];
    const phones: Phone[] = [];
    const legs: Leg[] = [];
    const closers: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "engine-contract-"));
      engine = await factory({ agents: AGENTS, trustedAddresses: ["127.0.0.1"], domain: DOMAIN });
      sw = engine.switch;
      sw.on("incoming", (c: IncomingCall) => {
        legs.push(c.leg);
        const w = waiting.shift();
        if (w) w(c.leg);
        else incoming.push(c.leg);
      });
    }, 60_000);

    afterEach(async () => {
      for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
      await Promise.all(legs.splice(0).map((l) => l.hangup().catch(() => undefined)));
      await Promise.all(phones.splice(0).map((p) => p.stop()));
      incoming.length = 0;
      // A quitting phone unregisters; the next test's phone must not find its stale binding.
      await until("the agents' phones unregistered", 5000, () =>
        [...AGENTS.keys()].every((id) => !sw.registered(id)),
      ).catch(() => undefined);
      // Closing leaks nothing: every count back to 0 once the test's calls are gone.
      const left = await until("the engine to hold nothing open", 10_000, async () => {
        const r = await engine.resources();
        return Object.values(r).every((n) => n === 0) ? r : undefined;
      }).catch(async () => engine.resources());
      expect(left, "resources after the test").toEqual(
        Object.fromEntries(Object.keys(left).map((k) => [k, 0])),
      );
    }, 30_000);

    afterAll(async () => {
      await sw?.close();
      await engine?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const nextIncoming = (ms = 15_000): Promise<Leg> => {
      const ready = incoming.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("no incoming call")), ms);
        waiting.push((leg) => {
          clearTimeout(t);
          resolve(leg);
        });
      });
    };

    /** A phone calling in from the trusted address, not yet answered. */
    const dialIn = async (caller = "13800000001", toneHz = CALLER_HZ) => {
      const phone = await Phone.start({ account: `<sip:${caller}@127.0.0.1>;regint=0`, toneHz });
      phones.push(phone);
      const offered = nextIncoming();
      await phone.command("dial", `sip:12345@${engine.sip.host}:${engine.sip.port}`);
      return { phone, leg: await offered };
    };

    /** A caller whose leg the engine answered. */
    const answeredCaller = async (toneHz = CALLER_HZ) => {
      const c = await dialIn("13800000001", toneHz);
      await c.leg.answer();
      await c.phone.waitFor(/Call established/i, 10_000);
      return c;
    };

    /** An agent's phone registered with digest; answers by itself unless `answer: false`. */
    const agentPhone = async (agentId: string, toneHz: number, answer = true) => {
      const phone = await Phone.start({
        account: `<sip:${agentId}@${DOMAIN}>;outbound="sip:${engine.sip.host}:${engine.sip.port}";auth_pass=${AGENTS.get(agentId)};regint=300;answermode=${answer ? "auto" : "manual"}`,
        toneHz,
      });
      phones.push(phone);
      await until(`${agentId} registered`, 15_000, () => sw.registered(agentId));
      return phone;
    };

    /** Rings the agent's device and returns the answered leg. */
    const callAgent = async (agentId: string, near?: Leg) => {
      const r = await sw.originate({
        to: { kind: "agent", agentId },
        callerNumber: "12345",
        timeoutMs: 10_000,
        ...(near ? { near } : {}),
      });
      if (!r.ok) throw new Error(`originate to ${agentId}: ${r.cause}`);
      legs.push(r.leg);
      return r.leg;
    };

    it("registered: a device that registers with digest is reported, and so is its going away", async () => {
      const events: { agentId: string; registered: boolean }[] = [];
      sw.on("registration", (e) => events.push({ agentId: e.agentId, registered: e.registered }));
      expect(sw.registered("7001")).toBe(false);
      const phone = await agentPhone("7001", AGENT_HZ);
      expect(events).toContainEqual({ agentId: "7001", registered: true });
      // A phone that quits unregisters (REGISTER with Expires: 0, RFC 3261 §10.2.2).
      await phone.stop();
      await until("7001 unregistered", 10_000, () => !sw.registered("7001"));
      await until("the registration event", 5000, () =>
        events.some((e) => e.agentId === "7001" && !e.registered),
      );
      expect(sw.registered("7002")).toBe(false);
    });

    it("incoming, ring, answer: the leg describes the call and moves offered → early → answered", async () => {
      const { phone, leg } = await dialIn("13800000001");
      expect(leg).toMatchObject({ direction: "inbound", state: "offered", media: "audio" });
      expect(leg.from.number).toBe("13800000001");
      expect(leg.to.number).toBe("12345");
      expect(leg.origin).not.toBe("registered");
      await leg.ring();
      expect(leg.state).toBe("early");
      await phone.waitFor(/ringing/i, 10_000);
      await leg.answer();
      expect(leg.state).toBe("answered");
      await phone.waitFor(/Call established/i, 10_000);
    });

    it("reject: the caller gets the cause's refusal and the leg ends once, by us", async () => {
      const { phone, leg } = await dialIn("13800000002");
      const ended = endedOf(leg);
      await leg.reject("busy");
      expect(await ended).toEqual({ cause: "busy", by: "local" });
      expect(leg.state).toBe("ended");
      await phone.waitFor(/486|busy/i, 10_000);
      await leg.hangup(); // idempotent: nothing more is sent or reported
    });

    it("play: the caller hears the prompt; done reports its end; a looped play stops on stop()", async () => {
      const { phone, leg } = await answeredCaller();
      const prompt = toneWav(join(dir, "prompt.wav"), PROMPT_HZ, 2);
      const p = leg.play([prompt]);
      await phone.hears("the prompt", has(PROMPT_HZ, 0.8));
      expect(await p.done).toEqual({ key: null, stopped: false });
      const music = leg.play([prompt], { loop: true });
      await phone.hears("the looped prompt", has(PROMPT_HZ, 0.8));
      await music.stop();
      expect(await music.done).toMatchObject({ stopped: true });
      await phone.hears("silence after the stop", silent);
    });

    it("dtmf: a key from the phone is reported once; with barge-in it ends the prompt", async () => {
      const { phone, leg } = await answeredCaller();
      const keys: DtmfKey[] = [];
      leg.on("dtmf", (e) => keys.push(e.key));
      const p = leg.play([toneWav(join(dir, "long.wav"), PROMPT_HZ, 20)], { bargeIn: true });
      await phone.hears("the prompt", has(PROMPT_HZ, 0.8));
      await phone.command("sndcode", "5");
      const done = await p.done;
      expect(done.key).toBe("5");
      await until("the key reported", 3000, () => keys.length > 0);
      await new Promise((r) => setTimeout(r, 500));
      expect(keys).toEqual(["5"]);
    });

    it("originate to a SIP URI, and DTMF we send: the engine calls itself and hears its own key", async () => {
      // baresip 1.0 reports no key it receives, so the far end of sendDtmf is this engine's own
      // inbound leg: a real SIP dialog and RTP stream between two legs, checked only through the port.
      const answered = nextIncoming().then(async (inbound) => {
        expect(inbound.to.number).toBe("4000");
        await inbound.answer();
        return inbound;
      });
      const r = await sw.originate({
        to: { kind: "uri", uri: `sip:4000@${engine.sip.host}:${engine.sip.port}` },
        callerNumber: "12345",
        timeoutMs: 10_000,
      });
      if (!r.ok) throw new Error(`originate to a URI: ${r.cause}`);
      legs.push(r.leg);
      expect(r.leg).toMatchObject({ direction: "outbound", state: "answered" });
      const inbound = await answered;
      expect(inbound.from.number).toBe("12345");
      const keys: DtmfKey[] = [];
      inbound.on("dtmf", (e) => keys.push(e.key));
      await r.leg.sendDtmf("7");
      await r.leg.sendDtmf("#");
      await until("both keys", 5000, () => keys.length >= 2);
      await new Promise((res) => setTimeout(res, 300));
      expect(keys).toEqual(["7", "#"]);
    });

    it("originate: an agent's device rings and answers; unregistered, unanswered and cancelled attempts fail with their cause", async () => {
      await agentPhone("7001", AGENT_HZ);
      const leg = await callAgent("7001");
      expect(leg).toMatchObject({ direction: "outbound", state: "answered" });
      expect(leg.to.number).toBe("7001");
      expect(leg.from.number).toBe("12345");

      expect(
        await sw.originate({
          to: { kind: "agent", agentId: "7003" },
          callerNumber: "12345",
          timeoutMs: 5000,
        }),
      ).toMatchObject({
        ok: false,
        cause: "unavailable",
      });

      // A device that rings without answering: given up after the timeout, and it stops ringing.
      const idle = await agentPhone("7002", SUPERVISOR_HZ, false);
      const closedBefore = idle.count(/closed|terminated/i);
      const t0 = Date.now();
      const unanswered = await sw.originate({
        to: { kind: "agent", agentId: "7002" },
        callerNumber: "12345",
        timeoutMs: 1500,
      });
      expect(unanswered).toMatchObject({ ok: false, cause: "no-answer" });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await idle.waitFor(/closed|terminated/i, 10_000, closedBefore);

      const ac = new AbortController();
      const rings = idle.count(/Incoming call/i);
      const attempt = sw.originate({
        to: { kind: "agent", agentId: "7002" },
        callerNumber: "12345",
        timeoutMs: 10_000,
        signal: ac.signal,
      });
      await idle.waitFor(/Incoming call/i, 10_000, rings);
      const closedAgain = idle.count(/closed|terminated/i);
      ac.abort();
      expect((await attempt).ok).toBe(false);
      await idle.waitFor(/closed|terminated/i, 10_000, closedAgain);
    });

    it("hangup: ours sends BYE and ends the leg once, by us; the phone's ends it, by them", async () => {
      const a = await answeredCaller();
      const ended = endedOf(a.leg);
      await a.leg.hangup();
      await a.leg.hangup();
      expect(await ended).toEqual({ cause: "normal", by: "local" });
      expect(a.leg.state).toBe("ended");
      await a.phone.waitFor(/terminated|closed/i, 10_000);

      const phone = await agentPhone("7001", AGENT_HZ);
      const leg = await callAgent("7001");
      const causes: LegEvents["ended"][] = [];
      leg.on("ended", (e) => causes.push(e));
      await phone.command("hangup");
      await until("the agent's hangup", 10_000, () => causes.length > 0);
      expect(causes).toEqual([{ cause: "normal", by: "remote" }]);
    });

    it("bridge: each party hears the other; closing it silences both and hangs up neither", async () => {
      const caller = await answeredCaller();
      const agent = await agentPhone("7001", AGENT_HZ);
      const agentLeg = await callAgent("7001", caller.leg);
      const bridge = await sw.bridge(caller.leg, agentLeg);
      await caller.phone.hears("the agent", has(AGENT_HZ, 0.8));
      await agent.hears("the caller", has(CALLER_HZ, 0.8));
      await bridge.close();
      await bridge.close();
      await caller.phone.hears("silence from the agent", lacks(AGENT_HZ));
      await agent.hears("silence from the caller", lacks(CALLER_HZ));
      expect([caller.leg.state, agentLeg.state]).toEqual(["answered", "answered"]);
    });

    it("hold: a held leg is not heard by the others until unhold; the phone's own hold is reported", async () => {
      // What the held phone itself hears is not checked: baresip 1.0 restarts its player on the
      // hold re-INVITE and its sndfile dump stops there, so its ears cannot be read past it.
      const caller = await answeredCaller();
      const agent = await agentPhone("7001", AGENT_HZ);
      const agentLeg = await callAgent("7001", caller.leg);
      const bridge = await sw.bridge(caller.leg, agentLeg);
      closers.push(() => bridge.close());
      await caller.phone.hears("the agent", has(AGENT_HZ, 0.8));
      await agentLeg.hold();
      await caller.phone.hears("nothing from the held agent", lacks(AGENT_HZ));
      await agentLeg.unhold();
      await caller.phone.hears("the agent again", has(AGENT_HZ, 0.8));
      expect(agentLeg.state).toBe("answered");

      const held: boolean[] = [];
      agentLeg.on("held", (e) => held.push(e.held));
      await agent.command("hold");
      await until("held reported", 10_000, () => held.includes(true));
      await agent.command("resume");
      await until("resume reported", 10_000, () => held.at(-1) === false);
    });

    it("record: caller on the left, agent on the right; paused audio is skipped; stop is once", async () => {
      const caller = await answeredCaller();
      await agentPhone("7001", AGENT_HZ);
      const agentLeg = await callAgent("7001", caller.leg);
      const bridge = await sw.bridge(caller.leg, agentLeg);
      closers.push(() => bridge.close());
      const path = join(dir, "call.wav");
      const rec = await sw.record(path, { caller: caller.leg, agent: agentLeg });
      closers.push(() => rec.stop());
      await new Promise((r) => setTimeout(r, 1500));
      await rec.pause();
      await new Promise((r) => setTimeout(r, 1000));
      await rec.resume();
      await new Promise((r) => setTimeout(r, 1000));
      const stopped = await rec.stop();
      expect(await rec.stop()).toEqual(stopped);
      // 2.5 s recorded of 3.5 s: the paused second is not in the file.
      expect(stopped.seconds).toBeGreaterThan(1.8);
      expect(stopped.seconds).toBeLessThan(3.2);
      const wav = parseWav(new Uint8Array(readFileSync(rec.path)));
      expect(wav).toMatchObject({ channels: 2, sampleRate: 8000 });
      const all = wavSamples(wav);
      const frames = all.length / 2;
      const left = Int16Array.from({ length: frames }, (_, i) => all[2 * i] as number);
      const right = Int16Array.from({ length: frames }, (_, i) => all[2 * i + 1] as number);
      const mid = (x: Int16Array) =>
        x.subarray(Math.floor(x.length / 2) - 2000, Math.floor(x.length / 2) + 2000);
      expect(toneShare(mid(left), CALLER_HZ)).toBeGreaterThan(0.8);
      expect(toneShare(mid(right), AGENT_HZ)).toBeGreaterThan(0.8);
      expect(toneShare(mid(left), AGENT_HZ)).toBeLessThan(0.05);
    });

    it("conference: full parties hear each other, a listener hears all and is heard by none, a whisper reaches its target only", async () => {
      const caller = await answeredCaller();
      const agent = await agentPhone("7001", AGENT_HZ);
      const sup = await agentPhone("7002", SUPERVISOR_HZ);
      const agentLeg = await callAgent("7001", caller.leg);
      const supLeg = await callAgent("7002", caller.leg);
      const conf = await sw.conference();
      closers.push(() => conf.close());
      await conf.add(caller.leg, "full");
      await conf.add(agentLeg);
      await conf.add(supLeg, "listen");
      await caller.phone.hears(
        "the agent, not the listener",
        (x) => has(AGENT_HZ)(x) && lacks(SUPERVISOR_HZ)(x),
      );
      await agent.hears("the caller, not the listener", (x) => has(CALLER_HZ)(x) && lacks(SUPERVISOR_HZ)(x));
      await sup.hears("both parties", (x) => has(CALLER_HZ, 0.2)(x) && has(AGENT_HZ, 0.2)(x));

      await conf.remove(supLeg);
      await conf.add(supLeg, { whisperTo: agentLeg });
      await agent.hears("the whisper", has(SUPERVISOR_HZ, 0.2));
      await caller.phone.hears("no whisper", (x) => has(AGENT_HZ)(x) && lacks(SUPERVISOR_HZ)(x));
      await sup.hears(
        "both parties while whispering",
        (x) => has(CALLER_HZ, 0.2)(x) && has(AGENT_HZ, 0.2)(x),
      );
    });

    it("fork: a WebSocket gets a JSON header naming the call, then 8 kHz PCM with the caller's audio", async () => {
      const caller = await answeredCaller();
      await agentPhone("7001", AGENT_HZ);
      const agentLeg = await callAgent("7001", caller.leg);
      const sink = await forkSink();
      closers.push(() => sink.close());
      const fork = await sw.fork({ caller: caller.leg, agent: agentLeg }, sink.url, {
        callId: "contract-call-1",
        callerNumber: "13800000001",
      });
      closers.push(() => fork.stop());
      const header = (await sink.header) as {
        callId?: string;
        caller?: string;
        format?: { sampleRate?: number };
      };
      expect(header).toMatchObject({
        callId: "contract-call-1",
        caller: "13800000001",
        format: { sampleRate: 8000 },
      });
      await until("a second of forked audio", 10_000, () => sink.frames.length >= 50);
      const stereo = Buffer.concat(sink.frames.slice(-25));
      const left = Int16Array.from({ length: stereo.length / 4 }, (_, i) => stereo.readInt16LE(i * 4));
      expect(toneShare(left, CALLER_HZ)).toBeGreaterThan(0.8);
      await fork.stop();
      await sink.closed;
    });

    it("close: hangs up every leg with cause shutdown and is idempotent", async () => {
      // Last: the switch stays closed. A caller with a looped prompt and an agent on a recorded
      // bridge, then close; afterEach checks that nothing is left open.
      const caller = await answeredCaller();
      const agent = await agentPhone("7001", AGENT_HZ);
      const agentLeg = await callAgent("7001", caller.leg);
      await sw.bridge(caller.leg, agentLeg);
      await sw.record(join(dir, "closing.wav"), { caller: caller.leg, agent: agentLeg });
      const offered = await dialIn("13800000003");
      const causes = new Map<string, HangupCause>();
      for (const [k, l] of [
        ["caller", caller.leg],
        ["agent", agentLeg],
        ["offered", offered.leg],
      ] as const)
        l.on("ended", (e) => causes.set(k, e.cause));
      await sw.close();
      await sw.close();
      expect(Object.fromEntries(causes)).toEqual({
        caller: "shutdown",
        agent: "shutdown",
        offered: "shutdown",
      });
      await caller.phone.waitFor(/terminated|closed/i, 10_000);
      await agent.waitFor(/terminated|closed/i, 10_000);
    });
  });
}
