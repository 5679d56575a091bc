/**
 * Interop with a real SIP peer: sipp scenarios against the answering server built on the stack.
 * Each test opens its own server on port 0 and gives sipp a free local port.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AnswerServer, startAnswerServer } from "./answer-server.js";
import { freeUdpPort, haveSipp, runSipp, SCENARIOS } from "./sipp.js";

const enabled = haveSipp();
let server: AnswerServer;

beforeEach(async () => {
  server = await startAnswerServer();
});
afterEach(async () => {
  await server.close();
});

const common = async (transport: "u1" | "t1", port: number) => [
  `127.0.0.1:${port}`,
  "-i",
  "127.0.0.1",
  "-p",
  String(await freeUdpPort()),
  "-t",
  transport,
];

describe.skipIf(!enabled)("sipp interop", () => {
  it("REGISTER with a digest challenge, then unregister (UDP)", async () => {
    const r = await runSipp([
      ...(await common("u1", server.udpPort)),
      "-sf",
      `${SCENARIOS}register-digest.xml`,
      "-s",
      "1001",
      "-m",
      "1",
    ]);
    expect(r.output).not.toMatch(/Unsupported|Aborting/);
    expect([r.code, r.successful, r.failed]).toEqual([0, 1, 0]);
    expect(server.registrar.size).toBe(0);
  });

  it("REGISTER with a digest challenge over TCP", async () => {
    const r = await runSipp([
      ...(await common("t1", server.tcpPort)),
      "-sf",
      `${SCENARIOS}register-digest.xml`,
      "-s",
      "1001",
      "-m",
      "1",
    ]);
    expect([r.code, r.successful, r.failed]).toEqual([0, 1, 0]);
  });

  for (const [name, transport] of [
    ["UDP", "u1"],
    ["TCP", "t1"],
  ] as const) {
    it(`INVITE / ACK / BYE over ${name}, 10 calls`, async () => {
      const port = transport === "u1" ? server.udpPort : server.tcpPort;
      const r = await runSipp([
        ...(await common(transport, port)),
        "-sf",
        `${SCENARIOS}call.xml`,
        "-s",
        "1002",
        "-m",
        "10",
        "-r",
        "20",
      ]);
      expect([r.code, r.successful, r.failed]).toEqual([0, 10, 0]);
      expect(server.stats).toMatchObject({ answered: 10, byes: 10 });
      expect(server.stack.dialogCount).toBe(0);
    });
  }

  it("CANCEL before answer: 200 to CANCEL, 487 to INVITE", async () => {
    const r = await runSipp([
      ...(await common("u1", server.udpPort)),
      "-sf",
      `${SCENARIOS}cancel.xml`,
      "-m",
      "3",
      "-r",
      "10",
    ]);
    expect([r.code, r.successful, r.failed]).toEqual([0, 3, 0]);
    expect(server.stats.cancelled).toBe(3);
  });

  it("re-INVITE inside the call", async () => {
    const r = await runSipp([
      ...(await common("u1", server.udpPort)),
      "-sf",
      `${SCENARIOS}reinvite.xml`,
      "-s",
      "1003",
      "-m",
      "5",
      "-r",
      "20",
    ]);
    expect([r.code, r.successful, r.failed]).toEqual([0, 5, 0]);
    expect(server.stats.reinvites).toBe(5);
  });

  it("UDP with 10 % packet loss: every call completes through retransmissions", async () => {
    const r = await runSipp(
      [
        ...(await common("u1", server.udpPort)),
        "-sf",
        `${SCENARIOS}call.xml`,
        "-s",
        "1004",
        "-m",
        "20",
        "-r",
        "20",
        "-lost",
        "10",
      ],
      18_000,
    );
    expect([r.code, r.successful, r.failed]).toEqual([0, 20, 0]);
    // The loss was real: sipp had to retransmit some of its requests.
    expect(r.retransmissions).toBeGreaterThan(0);
  }, 20_000);
});
