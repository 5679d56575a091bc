import { Bridge } from "./bridge.js";
import { MediaError, MediaErrorCode } from "./errors.js";
import { AudioFork } from "./fork.js";
import { Mixer, type MixerParty } from "./mixer.js";
import { loadPrompt, Player, type Prompt } from "./player.js";
import { PortAllocator } from "./port-allocator.js";
import { PortLeg } from "./port-leg.js";
import type { WorkerApi, WorkerInit, WorkerMethod, WorkerNotification, WorkerStats } from "./protocol.js";
import { RecordingTap } from "./recorder.js";
import { RtpEndpoint } from "./rtp-endpoint.js";
import { WebRtcEndpoint, type WebRtcEndpointOptions } from "./webrtc-endpoint.js";

type Handlers = { [M in WorkerMethod]: (p: WorkerApi[M]["params"]) => Promise<WorkerApi[M]["result"]> };

/**
 * Everything one media worker owns: endpoints on its share of the port range and
 * the bridges, players, recordings, mixers and forks between them. Driven only by
 * requests; reports through `notify`. Runs inside a worker thread (media-worker.ts).
 */
export class WorkerCore {
  #ports: PortAllocator;
  #endpoints = new Map<string, RtpEndpoint | WebRtcEndpoint>();
  #bridges = new Map<string, Bridge>();
  #players = new Map<string, Player>();
  #recordings = new Map<string, RecordingTap>();
  #mixers = new Map<string, { mixer: Mixer; parties: Map<string, MixerParty> }>();
  #forks = new Map<string, AudioFork>();
  #prompts = new Map<string, Promise<Prompt>>();
  /** Child id → the endpoints it needs: closing an endpoint closes its children. */
  #uses = new Map<string, string[]>();

  constructor(
    private readonly init: WorkerInit,
    private readonly notify: (n: WorkerNotification) => void,
  ) {
    this.#ports = new PortAllocator(init.portMin, init.portMax);
  }

  handle<M extends WorkerMethod>(method: M, params: WorkerApi[M]["params"]): Promise<WorkerApi[M]["result"]> {
    const h = this.#handlers[method] as (p: WorkerApi[M]["params"]) => Promise<WorkerApi[M]["result"]>;
    return h(params);
  }

  #ep(id: string): RtpEndpoint | WebRtcEndpoint {
    const e = this.#endpoints.get(id);
    if (!e) throw new MediaError(MediaErrorCode.InvalidArgument, `no endpoint ${id} on this worker`);
    return e;
  }

  #prompt(path: string): Promise<Prompt> {
    let p = this.#prompts.get(path);
    if (!p) {
      p = loadPrompt(path);
      this.#prompts.set(path, p);
      p.catch(() => this.#prompts.delete(path));
    }
    return p;
  }

  #handlers: Handlers = {
    "endpoint.create": async ({ id, kind, codecs, inbandDtmf, video }) => {
      if (kind === "webrtc") {
        const o: WebRtcEndpointOptions = {};
        if (this.init.publicAddress) o.publicAddress = this.init.publicAddress;
        if (this.init.icePortRange) o.portRange = this.init.icePortRange;
        if (this.init.iceExtraHostAddresses) o.extraHostAddresses = this.init.iceExtraHostAddresses;
        if (video) o.video = true;
        const w = new WebRtcEndpoint(o);
        this.#endpoints.set(id, w);
        w.on("dtmf", (report) => this.notify({ event: "dtmf", target: id, report }));
        return { port: 0 };
      }
      const opts: Parameters<typeof RtpEndpoint.open>[0] = {
        ports: this.#ports,
        bindAddress: this.init.bindAddress,
      };
      if (this.init.publicAddress) opts.publicAddress = this.init.publicAddress;
      if (this.init.rtcpIntervalMs) opts.rtcpIntervalMs = this.init.rtcpIntervalMs;
      if (codecs) opts.codecs = codecs;
      if (inbandDtmf) opts.inbandDtmf = true;
      const ep = await RtpEndpoint.open(opts);
      this.#endpoints.set(id, ep);
      ep.on("dtmf", (report) => this.notify({ event: "dtmf", target: id, report }));
      ep.on("latched", (remote) => this.notify({ event: "latched", target: id, remote }));
      ep.on("stats", (stats) => this.notify({ event: "stats", target: id, stats }));
      return { port: ep.port };
    },
    "endpoint.offer": async ({ id, direction }) => {
      const ep = this.#ep(id);
      return ep instanceof WebRtcEndpoint ? ep.createOffer() : ep.createOffer(direction);
    },
    "endpoint.answer": async ({ id, sdp, direction }) => {
      const ep = this.#ep(id);
      return ep instanceof WebRtcEndpoint ? ep.createAnswer(sdp) : ep.createAnswer(sdp, direction);
    },
    "endpoint.accept": async ({ id, sdp, direction }) => {
      const ep = this.#ep(id);
      if (ep instanceof WebRtcEndpoint) {
        await ep.acceptAnswer(sdp);
        return ep.negotiated;
      }
      const m = ep.acceptAnswer(sdp, direction);
      return { codec: m.codec, payloadType: m.payloadType, telephoneEventPt: m.telephoneEventPt };
    },
    "endpoint.dtmf": async ({ id, key, durationMs }) => {
      await this.#ep(id).sendDtmf(key, durationMs);
      return null;
    },
    "endpoint.stats": async ({ id }) => this.#ep(id).stats(),
    "endpoint.close": async ({ id }) => {
      const ep = this.#endpoints.get(id);
      if (!ep) return null; // idempotent
      this.#endpoints.delete(id);
      // Children that need this endpoint go with it (ownership tree, STYLE.md).
      for (const [child, eps] of this.#uses) if (eps.includes(id)) this.#closeChild(child);
      await ep.close();
      return null;
    },
    "bridge.create": async ({ id, a, b }) => {
      const bridge = new Bridge(this.#ep(a), this.#ep(b));
      this.#bridges.set(id, bridge);
      this.#uses.set(id, [a, b]);
      return null;
    },
    "link.create": async ({ id, endpoint, port }) => {
      const ep = this.#ep(endpoint);
      const leg = new PortLeg(port, ep.law);
      const bridge = new Bridge(ep, leg);
      // The bridge goes when the endpoint or the port goes; the leg with the bridge.
      leg.on("close", () => this.#closeChild(id));
      this.#links.set(id, leg);
      this.#bridges.set(id, bridge);
      this.#uses.set(id, [endpoint]);
      return null;
    },
    "bridge.close": async ({ id }) => {
      this.#closeChild(id);
      return null;
    },
    "play.start": async ({ id, endpoint, prompts, loop, stopOnDtmf }) => {
      const ep = this.#ep(endpoint);
      const pcm = await Promise.all(prompts.map((p) => this.#prompt(p)));
      const player = new Player(ep, pcm, { loop, stopOnDtmf, dtmfSource: ep });
      this.#players.set(id, player);
      this.#uses.set(id, [endpoint]);
      void player.done.then((result) => {
        this.#players.delete(id);
        this.#uses.delete(id);
        this.notify({ event: "play.done", target: id, result });
      });
      return null;
    },
    "play.stop": async ({ id }) => {
      this.#players.get(id)?.stop();
      return null;
    },
    "record.start": async ({ id, path, caller, agent }) => {
      const rec = new RecordingTap(path, { caller: this.#ep(caller), agent: this.#ep(agent) });
      // Sent once whatever closes it (stop, or an endpoint going away).
      rec.on("close", ({ seconds }) => this.notify({ event: "record.closed", target: id, seconds }));
      this.#recordings.set(id, rec);
      this.#uses.set(id, [caller, agent]);
      return null;
    },
    "record.pause": async ({ id, paused }) => {
      const r = this.#recordings.get(id);
      if (paused) r?.pause();
      else r?.resume();
      return null;
    },
    "record.stop": async ({ id }) => {
      const r = this.#recordings.get(id);
      this.#closeChild(id);
      return { seconds: r?.seconds ?? 0 };
    },
    "mixer.create": async ({ id }) => {
      this.#mixers.set(id, { mixer: new Mixer(), parties: new Map() });
      return null;
    },
    "mixer.add": async ({ id, endpoint, role }) => {
      const m = this.#mixers.get(id);
      if (!m) throw new MediaError(MediaErrorCode.InvalidArgument, `no mixer ${id}`);
      let r: Parameters<Mixer["add"]>[1];
      if (typeof role === "object") {
        const target = m.parties.get(role.whisperTo);
        if (!target)
          throw new MediaError(MediaErrorCode.InvalidArgument, "whisper target is not in the mixer");
        r = { whisperTo: target };
      } else r = role;
      m.parties.set(endpoint, m.mixer.add(this.#ep(endpoint), r));
      this.#uses.set(`${id}\u0000${endpoint}`, [endpoint]);
      return null;
    },
    "mixer.remove": async ({ id, endpoint }) => {
      const m = this.#mixers.get(id);
      const party = m?.parties.get(endpoint);
      if (m && party) {
        m.mixer.remove(party);
        m.parties.delete(endpoint);
      }
      this.#uses.delete(`${id}\u0000${endpoint}`);
      return null;
    },
    "mixer.close": async ({ id }) => {
      const m = this.#mixers.get(id);
      m?.mixer.close();
      for (const ep of m?.parties.keys() ?? []) this.#uses.delete(`${id}\u0000${ep}`);
      this.#mixers.delete(id);
      return null;
    },
    "fork.start": async ({ id, caller, agent, url, callId, callerNumber, mode }) => {
      const fork = new AudioFork(
        { caller: this.#ep(caller), agent: this.#ep(agent) },
        { url, callId, caller: callerNumber, mode },
      );
      fork.on("error", () => {});
      fork.on("close", () => {
        this.#forks.delete(id);
        this.notify({ event: "fork.closed", target: id });
      });
      this.#forks.set(id, fork);
      this.#uses.set(id, [caller, agent]);
      return null;
    },
    "fork.stop": async ({ id }) => {
      this.#closeChild(id);
      return null;
    },
    "worker.stats": async () => this.stats(),
    "worker.close": async () => {
      await this.close();
      return null;
    },
  };

  #links = new Map<string, PortLeg>();

  #closeChild(id: string): void {
    this.#uses.delete(id);
    const link = this.#links.get(id);
    if (link) {
      this.#links.delete(id);
      link.close();
    }
    const bridge = this.#bridges.get(id);
    if (bridge) {
      bridge.close();
      this.#bridges.delete(id);
    }
    this.#players.get(id)?.stop();
    const rec = this.#recordings.get(id);
    if (rec) {
      rec.close();
      this.#recordings.delete(id);
    }
    const fork = this.#forks.get(id);
    if (fork) {
      fork.close();
      this.#forks.delete(id);
    }
    const sep = id.indexOf("\u0000");
    if (sep > 0) {
      const m = this.#mixers.get(id.slice(0, sep));
      const ep = id.slice(sep + 1);
      const party = m?.parties.get(ep);
      if (m && party) {
        m.mixer.remove(party);
        m.parties.delete(ep);
      }
    }
  }

  stats(): WorkerStats {
    const activeResources: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) activeResources[r] = (activeResources[r] ?? 0) + 1;
    return {
      endpoints: this.#endpoints.size,
      portsInUse: this.#ports.inUse,
      bridges: this.#bridges.size,
      players: this.#players.size,
      recordings: this.#recordings.size,
      mixers: this.#mixers.size,
      forks: this.#forks.size,
      activeResources,
    };
  }

  /** Closes everything this worker owns, children first; idempotent. */
  async close(): Promise<void> {
    for (const f of this.#forks.values()) f.close();
    this.#forks.clear();
    for (const m of this.#mixers.values()) m.mixer.close();
    this.#mixers.clear();
    for (const r of this.#recordings.values()) r.close();
    this.#recordings.clear();
    for (const p of this.#players.values()) p.stop();
    for (const b of this.#bridges.values()) b.close();
    this.#bridges.clear();
    for (const l of this.#links.values()) l.close();
    this.#links.clear();
    await Promise.all([...this.#endpoints.values()].map((e) => e.close()));
    this.#endpoints.clear();
  }
}
