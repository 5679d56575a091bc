import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MediaEngine } from "@hotline12345/media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PORT_MIN = 47000;
const PORT_MAX = 47999;

/**
 * UDP ports in our range bound by a socket of this process (its worker threads
 * included). Linux: /proc/net/udp lists sockets by inode, /proc/self/fd links to
 * them. Sockets of other processes (a browser's ICE ports, say) are not ours.
 */
function boundPortsInRange(): number[] {
  if (!existsSync("/proc/self/fd")) return [];
  const mine = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) mine.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const f of ["/proc/net/udp", "/proc/net/udp6"].filter((x) => existsSync(x))) {
    for (const line of readFileSync(f, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const port = Number.parseInt(cols[1]?.split(":")[1] ?? "", 16);
      if (port >= PORT_MIN && port <= PORT_MAX && mine.has(cols[9] ?? "")) ports.push(port);
    }
  }
  return ports;
}

let engine: MediaEngine;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "media-leak-"));
  engine = await MediaEngine.start({
    workers: 2,
    portMin: PORT_MIN,
    portMax: PORT_MIN + 799,
    bindAddress: "127.0.0.1",
    // WebRTC ICE ports next to the RTP ones, so the OS-level check covers them too.
    icePortMin: PORT_MIN + 800,
    icePortMax: PORT_MAX,
  });
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("leak check", () => {
  it("1,000 bridged, recorded calls opened and closed leave no port, socket, timer or pending message", async () => {
    const before = await engine.stats();
    const mainBefore = process.getActiveResourcesInfo().length;
    const oneCall = async (n: number): Promise<void> => {
      const group = `leak-${n}`;
      const caller = await engine.createRtpEndpoint({ group });
      const agent = await engine.createRtpEndpoint({ group, codecs: n % 2 ? ["PCMA"] : ["PCMU"] });
      // The two legs talk to each other (offer/answer) so RTP actually flows.
      await agent.acceptAnswer(await caller.createAnswer(await agent.createOffer()));
      const bridge = await engine.bridge(caller, agent);
      const rec = await engine.record(join(dir, `${n}.wav`), { caller, agent });
      if (n % 3 === 0) await caller.sendDtmf("5", 40);
      // Close in different orders: explicit children first, or endpoints only.
      if (n % 2 === 0) {
        await rec.stop();
        await bridge.close();
        await Promise.all([caller.close(), agent.close()]);
      } else {
        await Promise.all([agent.close(), caller.close()]);
        await rec.stop();
      }
    };
    // The OS-level check works: an open endpoint shows up in it.
    const probe = await engine.createRtpEndpoint();
    expect(boundPortsInRange()).toContain(probe.port);
    await probe.close();
    const total = 1000;
    const parallel = 50;
    for (let base = 0; base < total; base += parallel) {
      await Promise.all(Array.from({ length: parallel }, (_, i) => oneCall(base + i)));
    }
    // WebRTC legs too: an offer gathers ICE (binds sockets, starts timers); close must undo it.
    const first = await engine.createWebRtcEndpoint();
    await first.createOffer();
    expect(
      boundPortsInRange().some((p) => p >= PORT_MIN + 800),
      "ICE sockets are in the checked range",
    ).toBe(true);
    await first.close();
    for (let base = 0; base < 40; base += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const web = await engine.createWebRtcEndpoint();
          await web.createOffer();
          await web.close();
        }),
      );
    }
    const after = await engine.stats();
    for (let w = 0; w < after.length; w++) {
      const a = after[w]!;
      const b = before[w]!;
      expect(a).toMatchObject({
        endpoints: 0,
        portsInUse: 0,
        bridges: 0,
        players: 0,
        recordings: 0,
        mixers: 0,
        forks: 0,
        pendingRequests: 0,
      });
      // No socket or timer left in the worker's event loop.
      expect(a.activeResources.UDPWRAP ?? 0).toBe(b.activeResources.UDPWRAP ?? 0);
      expect(a.activeResources.Timeout ?? 0).toBe(b.activeResources.Timeout ?? 0);
    }
    // The main thread holds nothing either (recordings end with one notification each).
    const start = performance.now();
    while (engine.liveHandles.recordings > 0 && performance.now() - start < 3000)
      await new Promise((r) => setTimeout(r, 10));
    expect(engine.liveHandles).toEqual({ endpoints: 0, groups: 0, playbacks: 0, recordings: 0 });
    // Nothing bound in the range at OS level either.
    expect(boundPortsInRange()).toEqual([]);
    expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(mainBefore);
  }, 60_000);
});
