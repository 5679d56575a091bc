import { readFileSync } from "node:fs";
import { parseWav, wavSamples } from "@hotline12345/media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbfs, rms, splitStereo, toneShare } from "../media-interop/support/audio.js";
import { binaryAvailable } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";

const haveBaresip = binaryAvailable("baresip");

describe.skipIf(!haveBaresip)("a real call on the embedded engine", () => {
  let h: Hotline;
  beforeAll(async () => {
    h = await Hotline.start();
  }, 90_000);
  afterAll(async () => {
    await h?.close();
  });

  it("plays a black-listed caller the notice and releases the call without queueing it", async () => {
    const caller = await h.dial("13900000000", 800);
    const call = await until("the black-listed call ended", 30_000, async () =>
      h.server.store.db
        .selectFrom("calls")
        .selectAll()
        .where("caller", "=", "13900000000")
        .where("ended_at", "is not", null)
        .executeTakeFirst(),
    );
    expect(call.queue_id).toBeNull();
    expect(call.agent_id).toBeNull();
    const path = call.ivr_path as Array<{ nodeId: string }>;
    expect(path.map((p) => p.nodeId)).toContain("blacklisted");
    // The notice was played to the end before the release (the prompt lasts over a second).
    expect(new Date(call.ended_at ?? 0).getTime() - new Date(call.started_at).getTime()).toBeGreaterThan(
      1000,
    );
    await caller.waitFor(/terminated|closed/i, 10_000);
  }, 60_000);

  it("caller dials 12345, agent 1001 answers, each tone lands in its own channel, the caller rates 4, and the records match", async () => {
    const agent = await h.agentPhone("1001", 600);
    await h.setState("1001", "READY");
    const answered = new Promise<string>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => {
        if (e.agentId === "1001") resolve(e.item.id);
      }),
    );
    const caller = await h.dial("13812345678", 1000);
    const callId = await answered;

    // Let a few seconds of conversation reach the recording, then the agent hangs up.
    const recording = await h.recordingOf(callId);
    await h.recorded(recording.path, 3);
    await agent.command("hangup");

    // The survey: the caller presses 4 until the rating is taken (keys before the question are
    // cleared, by design, so that keys pressed while talking cannot rate the call).
    const survey = await until("survey row", 30_000, async () => {
      const row = await h.server.store.db
        .selectFrom("surveys")
        .selectAll()
        .where("call_id", "=", callId)
        .executeTakeFirst();
      if (!row) await caller.command("sndcode", "4").catch(() => undefined);
      return row;
    });
    expect(survey).toMatchObject({ call_id: callId, agent_id: "1001", rating: 4 });

    const call = await h.callEnded(callId, 30_000);
    expect(call).toMatchObject({
      caller: "13812345678",
      dialled: "12345",
      origin: "local",
      queue_id: "general",
      agent_id: "1001",
      outcome: "completed",
    });
    const kinds = (
      await h.server.store.db
        .selectFrom("call_events")
        .select("kind")
        .where("call_id", "=", callId)
        .orderBy("id")
        .execute()
    ).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["offered", "queued", "rung", "answered", "completed", "surveyed"]),
    );
    expect(kinds.indexOf("offered")).toBeLessThan(kinds.indexOf("answered"));
    expect(kinds.indexOf("completed")).toBeLessThan(kinds.indexOf("surveyed"));

    // The recording: stereo, caller (1 kHz) left, agent (600 Hz) right, at the level sent (−13.5 dBFS).
    const rec = await until("recording closed", 10_000, async () =>
      h.server.store.db
        .selectFrom("recordings")
        .selectAll()
        .where("id", "=", recording.id)
        .where("seconds", "is not", null)
        .executeTakeFirst(),
    );
    expect(Number(rec.seconds)).toBeGreaterThan(2);
    const wav = parseWav(readFileSync(rec.path));
    expect(wav).toMatchObject({ channels: 2, sampleRate: 8000 });
    const stereo = wavSamples(wav);
    const { left, right } = splitStereo(stereo);
    // The middle second of the conversation, away from answer and hangup edges.
    const mid = (x: Int16Array) =>
      x.subarray(Math.floor(x.length / 2) - 4000, Math.floor(x.length / 2) + 4000);
    expect(toneShare(mid(left), 1000)).toBeGreaterThan(0.9);
    expect(toneShare(mid(right), 600)).toBeGreaterThan(0.9);
    expect(toneShare(mid(left), 600)).toBeLessThan(0.05);
    expect(toneShare(mid(right), 1000)).toBeLessThan(0.05);
    expect(dbfs(rms(mid(left)))).toBeGreaterThan(-16);
    expect(dbfs(rms(mid(left)))).toBeLessThan(-11);

    // The wall screen counts the answered call and today's satisfaction (a 4 is not satisfied).
    const wall = await h.server.runtime.wallboard();
    expect(wall.answeredToday).toBeGreaterThanOrEqual(1);
    expect(wall.satisfactionRate).toBe(0);

    // The agent is in after-call work, then ready again by the queue's wrap-up timer.
    const agentState = (await h.server.runtime.agentView("1001")).state;
    expect(["WRAP_UP", "READY"]).toContain(agentState);
  }, 120_000);

  it("sends a caller who presses 2 during the greeting to the English queue while it is open", async () => {
    // Open the English service around the clock for this test: calendars are read per call.
    const admin = await h.tokenOf("9001");
    const allDay: Array<[string, string]> = [["00:00", "24:00"]];
    const put = await h.api("PUT", "/api/calendars/english", admin, {
      name: "English service hours",
      timeZone: "Asia/Shanghai",
      weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
      days: [],
    });
    expect(put.status).toBe(200);
    await h.agentPhone("1004", 700);
    await h.setState("1004", "READY");
    const answered = new Promise<{ callId: string; queueId: string }>((resolve) =>
      h.server.runtime.acd.events.on("call.answered", (e) => {
        if (e.agentId === "1004") resolve({ callId: e.item.id, queueId: e.item.queueId });
      }),
    );
    const caller = await h.dial("13700001111", 900);
    await caller.waitFor(/Call established/, 15_000);
    await caller.command("sndcode", "2");
    const { callId, queueId } = await answered;
    expect(queueId).toBe("english");
    const call = await until("the call's queue", 10_000, async () =>
      h.server.store.db
        .selectFrom("calls")
        .selectAll()
        .where("id", "=", callId)
        .where("agent_id", "is not", null)
        .executeTakeFirst(),
    );
    expect(call).toMatchObject({ queue_id: "english", agent_id: "1004" });
    await caller.command("hangup");
    await until("the call ended", 20_000, async () =>
      h.server.store.db
        .selectFrom("calls")
        .select("id")
        .where("id", "=", callId)
        .where("ended_at", "is not", null)
        .executeTakeFirst(),
    );
  }, 90_000);
});
