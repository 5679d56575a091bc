import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import { MessageChannel, Worker } from "node:worker_threads";
import { Channel } from "./channel.js";
import type { DtmfKey, DtmfReport } from "./dtmf.js";
import { MediaError, MediaErrorCode } from "./errors.js";
import { TypedEmitter } from "./events.js";
import type { ForkMode } from "./fork.js";
import type { PlayResult } from "./player.js";
import { PortAllocator } from "./port-allocator.js";
import type { Negotiated, WorkerInit, WorkerNotification, WorkerStats } from "./protocol.js";
import type { EndpointStats } from "./rtp-endpoint.js";
import type { CodecName, Direction } from "./sdp.js";

export interface MediaEngineOptions {
  /** Worker threads carrying RTP. Default: one per core. */
  workers?: number;
  /** RTP port range, split evenly between workers. Default 20000–29999. */
  portMin?: number;
  portMax?: number;
  bindAddress?: string;
  /** Address advertised in SDP (public address behind NAT). */
  publicAddress?: string;
  rtcpIntervalMs?: number;
  /** ICE port range for WebRTC endpoints, split between workers like the RTP range. */
  icePortMin?: number;
  icePortMax?: number;
  /** Extra ICE host addresses (e.g. 127.0.0.1 for tests on one machine). */
  iceExtraHostAddresses?: string[];
  /** How long a request to a worker may take. Default 10 s. */
  requestTimeoutMs?: number;
}

interface WorkerSlot {
  worker: Worker;
  channel: Channel;
  load: number;
}

export type EndpointEvents = {
  dtmf: [report: DtmfReport];
  latched: [remote: { address: string; port: number }];
  /** Loss and jitter, after each RTCP report (RTP endpoints). */
  stats: [stats: EndpointStats];
  close: [];
};

/** Main-thread handle to an RTP endpoint living in some worker. */
export class EndpointHandle extends TypedEmitter<EndpointEvents> {
  #closed = false;
  /** @internal */
  constructor(
    readonly id: string,
    readonly port: number,
    /** @internal */ readonly slot: WorkerSlot,
    private readonly engine: MediaEngine,
  ) {
    super();
  }
  get closed(): boolean {
    return this.#closed;
  }
  createOffer(direction: Direction = "sendrecv"): Promise<string> {
    return this.slot.channel.request("endpoint.offer", { id: this.id, direction });
  }
  createAnswer(sdp: string, direction: Direction = "sendrecv"): Promise<string> {
    return this.slot.channel.request("endpoint.answer", { id: this.id, sdp, direction });
  }
  acceptAnswer(sdp: string, direction: Direction = "sendrecv"): Promise<Negotiated> {
    return this.slot.channel.request("endpoint.accept", { id: this.id, sdp, direction });
  }
  async sendDtmf(key: DtmfKey, durationMs = 100): Promise<void> {
    await this.slot.channel.request("endpoint.dtmf", { id: this.id, key, durationMs });
  }
  stats(): Promise<EndpointStats> {
    return this.slot.channel.request("endpoint.stats", { id: this.id });
  }
  /** @internal */
  dispatch(n: WorkerNotification): void {
    if (n.event === "dtmf") this.emit("dtmf", n.report);
    else if (n.event === "latched") this.emit("latched", n.remote);
    else if (n.event === "stats") this.emit("stats", n.stats);
  }
  /** Idempotent; also stops its players. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.engine._closeEndpoint(this);
    this.emit("close");
    this.removeAllListeners();
  }
}

export interface Playback {
  readonly id: string;
  readonly done: Promise<PlayResult>;
  stop(): Promise<void>;
}

export interface Recording {
  readonly id: string;
  readonly path: string;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<{ seconds: number }>;
}

export interface Conference {
  readonly id: string;
  add(ep: EndpointHandle, role?: "normal" | "listen" | { whisperTo: EndpointHandle }): Promise<void>;
  remove(ep: EndpointHandle): Promise<void>;
  close(): Promise<void>;
}

/**
 * The media engine seen from the main thread. RTP runs in worker threads, each
 * owning a share of the port range; this class routes each call to the worker
 * that owns the objects involved. Endpoints created with the same `group` (e.g.
 * the call id) land on the same worker, so a call's legs can be bridged, mixed and
 * recorded without crossing threads.
 */
export class MediaEngine extends TypedEmitter<{ workerError: [err: Error] }> {
  #slots: WorkerSlot[];
  #groups = new Map<string, { slot: WorkerSlot; refs: number }>();
  #endpoints = new Map<string, EndpointHandle>();
  #endpointGroup = new Map<string, string>();
  #playbacks = new Map<string, (r: PlayResult) => void>();
  #recordings = new Map<string, (seconds: number) => void>();
  #closed = false;

  private constructor(slots: WorkerSlot[]) {
    super();
    this.#slots = slots;
  }

  static async start(opts: MediaEngineOptions = {}): Promise<MediaEngine> {
    const n = Math.max(1, opts.workers ?? availableParallelism());
    const range = new PortAllocator(opts.portMin ?? 20000, opts.portMax ?? 29999).split(n);
    // From TypeScript sources (tsx, vitest) a small .mjs bootstrap registers tsx in the worker.
    const url = new URL(
      import.meta.url.endsWith(".ts") ? "./media-worker-boot.mjs" : "./media-worker.js",
      import.meta.url,
    );
    const ice =
      opts.icePortMin !== undefined && opts.icePortMax !== undefined
        ? new PortAllocator(opts.icePortMin, opts.icePortMax).split(n)
        : undefined;
    let engine: MediaEngine | undefined;
    const slots: WorkerSlot[] = range.map((r, i) => {
      const init: WorkerInit = { portMin: r.min, portMax: r.max, bindAddress: opts.bindAddress ?? "0.0.0.0" };
      if (opts.publicAddress) init.publicAddress = opts.publicAddress;
      if (opts.rtcpIntervalMs) init.rtcpIntervalMs = opts.rtcpIntervalMs;
      const iceShare = ice?.[i];
      if (iceShare) init.icePortRange = [iceShare.min, iceShare.max];
      if (opts.iceExtraHostAddresses) init.iceExtraHostAddresses = opts.iceExtraHostAddresses;
      const worker = new Worker(url, { workerData: init });
      const channel = new Channel(worker, (msg) => engine?._onNotification(msg), opts.requestTimeoutMs);
      worker.on("error", (err) => engine?.emit("workerError", err));
      return { worker, channel, load: 0 };
    });
    engine = new MediaEngine(slots);
    // Wait until every worker answers (module loaded, ready). Loading can take a
    // while on a busy machine, more so from TypeScript sources.
    try {
      await Promise.all(slots.map((s) => s.channel.request("worker.stats", {}, 60_000)));
    } catch (err) {
      await engine.close();
      throw err;
    }
    return engine;
  }

  /** Objects the main thread tracks (all 0 when every call has been closed). */
  get liveHandles(): { endpoints: number; groups: number; playbacks: number; recordings: number } {
    return {
      endpoints: this.#endpoints.size,
      groups: this.#groups.size,
      playbacks: this.#playbacks.size,
      recordings: this.#recordings.size,
    };
  }

  get workers(): number {
    return this.#slots.length;
  }

  #pick(group: string | undefined): WorkerSlot {
    if (group) {
      const g = this.#groups.get(group);
      if (g) {
        g.refs++;
        return g.slot;
      }
    }
    let best = this.#slots[0]!;
    for (const s of this.#slots) if (s.load < best.load) best = s;
    if (group) this.#groups.set(group, { slot: best, refs: 1 });
    return best;
  }

  #assertOpen(): void {
    if (this.#closed) throw new MediaError(MediaErrorCode.Closed, "media engine closed");
  }

  /** A WebRTC endpoint (ICE, DTLS-SRTP, G.711; video passthrough when `video`). */
  createWebRtcEndpoint(opts: { group?: string; video?: boolean } = {}): Promise<EndpointHandle> {
    return this.createRtpEndpoint({ ...opts, kind: "webrtc" });
  }

  async createRtpEndpoint(
    opts: {
      group?: string;
      codecs?: CodecName[];
      inbandDtmf?: boolean;
      kind?: "rtp" | "webrtc";
      video?: boolean;
    } = {},
  ): Promise<EndpointHandle> {
    this.#assertOpen();
    const slot = this.#pick(opts.group);
    const id = randomUUID();
    slot.load++;
    try {
      const params: {
        id: string;
        kind?: "rtp" | "webrtc";
        codecs?: CodecName[];
        inbandDtmf?: boolean;
        video?: boolean;
      } = {
        id,
      };
      if (opts.kind) params.kind = opts.kind;
      if (opts.video) params.video = true;
      if (opts.codecs) params.codecs = opts.codecs;
      if (opts.inbandDtmf) params.inbandDtmf = true;
      const { port } = await slot.channel.request("endpoint.create", params);
      const h = new EndpointHandle(id, port, slot, this);
      this.#endpoints.set(id, h);
      if (opts.group) this.#endpointGroup.set(id, opts.group);
      return h;
    } catch (err) {
      slot.load--;
      this.#release(opts.group);
      throw err;
    }
  }

  #release(group: string | undefined): void {
    if (!group) return;
    const g = this.#groups.get(group);
    if (g && --g.refs <= 0) this.#groups.delete(group);
  }

  /** @internal */
  async _closeEndpoint(h: EndpointHandle): Promise<void> {
    this.#endpoints.delete(h.id);
    h.slot.load--;
    this.#release(this.#endpointGroup.get(h.id));
    this.#endpointGroup.delete(h.id);
    await h.slot.channel.request("endpoint.close", { id: h.id }).catch(() => {});
  }

  /** @internal */
  _onNotification(n: WorkerNotification): void {
    if (n.event === "play.done") {
      this.#playbacks.get(n.target)?.(n.result);
      this.#playbacks.delete(n.target);
      return;
    }
    if (n.event === "record.closed") {
      this.#recordings.get(n.target)?.(n.seconds);
      this.#recordings.delete(n.target);
      return;
    }
    if (n.event === "fork.closed") return;
    this.#endpoints.get(n.target)?.dispatch(n);
  }

  #sameWorker(...eps: EndpointHandle[]): WorkerSlot {
    const slot = eps[0]!.slot;
    if (eps.some((e) => e.slot !== slot))
      throw new MediaError(
        MediaErrorCode.InvalidArgument,
        "endpoints live on different workers: create a call's endpoints with the same group",
      );
    return slot;
  }

  /**
   * Each endpoint hears the other (relay, or μ-law ⇄ A-law transcode). Endpoints
   * on different workers are bridged over a MessageChannel between the two.
   */
  async bridge(a: EndpointHandle, b: EndpointHandle): Promise<{ id: string; close: () => Promise<void> }> {
    this.#assertOpen();
    const id = randomUUID();
    if (a.slot === b.slot) {
      const slot = a.slot;
      await slot.channel.request("bridge.create", { id, a: a.id, b: b.id });
      return { id, close: async () => void (await slot.channel.request("bridge.close", { id })) };
    }
    const { port1, port2 } = new MessageChannel();
    try {
      await a.slot.channel.request("link.create", { id, endpoint: a.id, port: port1 }, undefined, [port1]);
      await b.slot.channel.request("link.create", { id, endpoint: b.id, port: port2 }, undefined, [port2]);
    } catch (err) {
      port1.close();
      port2.close();
      await a.slot.channel.request("bridge.close", { id }).catch(() => {});
      throw err;
    }
    return {
      id,
      close: async () => {
        await Promise.all([
          a.slot.channel.request("bridge.close", { id }),
          b.slot.channel.request("bridge.close", { id }),
        ]);
      },
    };
  }

  /** Plays WAV prompts (paths readable by the engine) into an endpoint. */
  async play(
    ep: EndpointHandle,
    prompts: string[],
    opts: { loop?: boolean; stopOnDtmf?: boolean | DtmfKey[] } = {},
  ): Promise<Playback> {
    this.#assertOpen();
    const id = randomUUID();
    const done = new Promise<PlayResult>((resolve) => this.#playbacks.set(id, resolve));
    try {
      await ep.slot.channel.request("play.start", {
        id,
        endpoint: ep.id,
        prompts,
        loop: opts.loop ?? false,
        stopOnDtmf: opts.stopOnDtmf ?? false,
      });
    } catch (err) {
      this.#playbacks.delete(id);
      throw err;
    }
    return { id, done, stop: async () => void (await ep.slot.channel.request("play.stop", { id })) };
  }

  /** Stereo recording: caller left, agent right. */
  async record(path: string, sides: { caller: EndpointHandle; agent: EndpointHandle }): Promise<Recording> {
    this.#assertOpen();
    const slot = this.#sameWorker(sides.caller, sides.agent);
    const id = randomUUID();
    // A recording also ends when one of its endpoints closes; the worker says so once.
    let closedSeconds: number | undefined;
    this.#recordings.set(id, (s) => {
      closedSeconds = s;
    });
    try {
      await slot.channel.request("record.start", {
        id,
        path,
        caller: sides.caller.id,
        agent: sides.agent.id,
      });
    } catch (err) {
      this.#recordings.delete(id);
      throw err;
    }
    return {
      id,
      path,
      pause: async () => void (await slot.channel.request("record.pause", { id, paused: true })),
      resume: async () => void (await slot.channel.request("record.pause", { id, paused: false })),
      stop: async () => {
        if (closedSeconds !== undefined) return { seconds: closedSeconds };
        const r = await slot.channel.request("record.stop", { id });
        return { seconds: closedSeconds ?? r.seconds };
      },
    };
  }

  /** An N-party conference (three-way calls, listen, whisper, barge). */
  async mix(): Promise<Conference> {
    this.#assertOpen();
    const id = randomUUID();
    let slot: WorkerSlot | undefined;
    return {
      id,
      add: async (ep, role = "normal") => {
        if (!slot) {
          slot = ep.slot;
          await slot.channel.request("mixer.create", { id });
        }
        if (ep.slot !== slot || (typeof role === "object" && role.whisperTo.slot !== slot))
          throw new MediaError(
            MediaErrorCode.InvalidArgument,
            "conference parties must share a group (worker)",
          );
        const wire = typeof role === "object" ? { whisperTo: role.whisperTo.id } : role;
        await slot.channel.request("mixer.add", { id, endpoint: ep.id, role: wire });
      },
      remove: async (ep) => void (await slot?.channel.request("mixer.remove", { id, endpoint: ep.id })),
      close: async () => void (await slot?.channel.request("mixer.close", { id })),
    };
  }

  /** Streams a call's audio to a WebSocket (first message: JSON header). */
  async fork(
    sides: { caller: EndpointHandle; agent: EndpointHandle },
    opts: { url: string; callId: string; callerNumber: string; mode?: ForkMode },
  ): Promise<{ id: string; stop: () => Promise<void> }> {
    this.#assertOpen();
    const slot = this.#sameWorker(sides.caller, sides.agent);
    const id = randomUUID();
    await slot.channel.request("fork.start", {
      id,
      caller: sides.caller.id,
      agent: sides.agent.id,
      url: opts.url,
      callId: opts.callId,
      callerNumber: opts.callerNumber,
      mode: opts.mode ?? "stereo",
    });
    return { id, stop: async () => void (await slot.channel.request("fork.stop", { id })) };
  }

  /** Per-worker counts of live objects, ports and pending requests (for leak checks). */
  async stats(): Promise<(WorkerStats & { pendingRequests: number })[]> {
    return Promise.all(
      this.#slots.map(async (s) => {
        const st = await s.channel.request("worker.stats", {});
        return { ...st, pendingRequests: s.channel.pending };
      }),
    );
  }

  /** Closes every endpoint and worker; pending requests are rejected. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const h of this.#endpoints.values()) h.removeAllListeners();
    this.#endpoints.clear();
    await Promise.all(
      this.#slots.map(async (s) => {
        await s.channel.request("worker.close", {}).catch(() => {});
        s.channel.close("media engine closed");
        await s.worker.terminate();
      }),
    );
    for (const resolve of this.#playbacks.values()) resolve({ reason: "stopped", frames: 0 });
    this.#playbacks.clear();
    this.#recordings.clear();
  }
}
