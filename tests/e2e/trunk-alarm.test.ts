import type { ActiveAlarm } from "@hotline12345/acd-server";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryAvailable, freeUdpPort } from "../media-interop/support/peers.js";
import { Hotline, until } from "../support/hotline.js";
import { SippUas } from "../support/sipp-uas.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

const haveSipp = binaryAvailable("sipp");

/**
 * Done-when: "a trunk that stops answering OPTIONS raises and then clears an alarm" — seen on
 * REST, on the supervisors' socket.io channel, in /metrics and as a signed webhook.
 */
describe.skipIf(!haveSipp)("a trunk that stops answering OPTIONS", () => {
  let h: Hotline;
  let hooks: WebhookReceiver;
  let sup: Socket;
  let uas: SippUas | undefined;
  const pushed: Array<{ name: string; alarm: ActiveAlarm }> = [];
  let admin: string;
  let supervisor: string;

  beforeAll(async () => {
    h = await Hotline.start();
    hooks = await WebhookReceiver.start("business-system-secret-1");
    admin = await h.tokenOf("9001");
    supervisor = await h.tokenOf("2001");
    sup = io(h.server.url, { path: "/socket.io", transports: ["websocket"], auth: { token: supervisor } });
    sup.on("alarm.raised", (alarm: ActiveAlarm) => pushed.push({ name: "alarm.raised", alarm }));
    sup.on("alarm.cleared", (alarm: ActiveAlarm) => pushed.push({ name: "alarm.cleared", alarm }));
    await new Promise<void>((resolve, reject) => {
      sup.once("hello", () => resolve());
      sup.once("connect_error", reject);
    });
  }, 180_000);
  afterAll(async () => {
    sup?.close();
    await uas?.kill();
    await hooks?.close();
    await h?.close();
  });

  const alarms = async () => {
    const res = await h.api("GET", "/api/alarms", supervisor);
    expect(res.status).toBe(200);
    return (await res.json()) as ActiveAlarm[];
  };
  const trunkUp = async () => {
    const text = await (await fetch(`${h.server.url}/metrics`)).text();
    const m = /^hotline_trunk_up\{trunk="carrier"\} (\d)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  };

  it("raises the alarm when the gateway dies and clears it when it is back", async () => {
    const port = await freeUdpPort();
    const mediaPort = await freeUdpPort(true);
    uas = await SippUas.start("options", port, mediaPort);

    const hook = await h.api("POST", "/api/webhooks", admin, {
      id: "bizsys",
      url: hooks.url,
      secret: hooks.secret,
      events: ["trunk.alarm"],
    });
    expect(hook.status).toBe(201);
    expect(await hook.json()).toMatchObject({ id: "bizsys", hasSecret: true });
    expect(JSON.stringify(await (await h.api("GET", "/api/webhooks/bizsys", admin)).json())).not.toContain(
      hooks.secret,
    );
    // Agents may not read subscriptions, supervisors may not change them.
    expect((await h.api("GET", "/api/webhooks", await h.tokenOf("1001"))).status).toBe(403);
    expect((await h.api("DELETE", "/api/webhooks/bizsys", supervisor)).status).toBe(403);

    const created = await h.api("POST", "/api/trunks", admin, {
      id: "carrier",
      name: "Carrier gateway (sipp)",
      host: "127.0.0.1",
      port,
      transport: "udp",
      prefixes: ["0"],
      optionsIntervalSeconds: 1,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: "carrier",
      status: { health: "up", probed: true, channels: 0 },
    });
    // The gateway answers: no alarm, the metric says up.
    await until("OPTIONS answered by sipp", 10_000, () => /OPTIONS sip:/.test(uas?.messages() ?? ""));
    await until("an answered probe", 10_000, () => /SIP\/2.0 200 OK/.test(uas?.messages() ?? ""));
    expect(await alarms()).toEqual([]);
    expect(await trunkUp()).toBe(1);

    // The gateway loses power.
    await uas.kill();
    uas = undefined;
    const raised = await until("alarm on REST", 15_000, async () => (await alarms())[0]);
    expect(raised).toMatchObject({ id: "trunk-down:carrier", kind: "trunk-down", subject: "carrier" });
    expect(raised.message).toMatch(/carrier .*stopped answering OPTIONS/);
    await until("alarm.raised pushed to the supervisor", 5_000, () =>
      pushed.some((p) => p.name === "alarm.raised" && p.alarm.id === "trunk-down:carrier"),
    );
    expect(await trunkUp()).toBe(0);
    const down = await until("raised webhook", 10_000, () =>
      hooks.of("trunk.alarm").find((r) => r.body.data.state === "raised"),
    );
    expect(down.signed).toBe(true);
    expect(down.headers["x-hotline-event"]).toBe("trunk.alarm");
    expect(down.body.data).toMatchObject({ id: "trunk-down:carrier", subject: "carrier", state: "raised" });
    const trunk = (await (await h.api("GET", "/api/trunks/carrier", supervisor)).json()) as {
      status: { health: string };
    };
    expect(trunk.status.health).toBe("down");

    // Back on the same address: the next answered probe clears it everywhere.
    uas = await SippUas.start("options", port, mediaPort);
    await until("alarm cleared on REST", 15_000, async () => (await alarms()).length === 0);
    await until("alarm.cleared pushed", 5_000, () =>
      pushed.some((p) => p.name === "alarm.cleared" && p.alarm.id === "trunk-down:carrier"),
    );
    expect(pushed.map((p) => p.name)).toEqual(["alarm.raised", "alarm.cleared"]);
    expect(pushed[1]?.alarm.clearedAt).toBeDefined();
    expect(await trunkUp()).toBe(1);
    const up = await until("cleared webhook", 10_000, () =>
      hooks.of("trunk.alarm").find((r) => r.body.data.state === "cleared"),
    );
    expect(up.signed).toBe(true);
    expect(up.body.id).not.toBe(down.body.id);

    // Each delivery is recorded.
    await h.server.webhooks.idle();
    const deliveries = (await (
      await h.api("GET", "/api/webhooks/bizsys/deliveries", admin)
    ).json()) as Array<{
      outcome: string;
      attempts: number;
    }>;
    expect(deliveries).toHaveLength(2);
    expect(deliveries.every((d) => d.outcome === "delivered" && d.attempts === 1)).toBe(true);
  }, 90_000);
});
