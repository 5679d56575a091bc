import type { MessagePort } from "node:worker_threads";
import type { DtmfKey, DtmfReport } from "./dtmf.js";
import type { MediaErrorCode } from "./errors.js";
import type { ForkMode } from "./fork.js";
import type { PlayResult } from "./player.js";
import type { EndpointStats } from "./rtp-endpoint.js";
import type { CodecName, Direction } from "./sdp.js";

/**
 * The typed request/response protocol between the main thread (MediaEngine) and
 * a media worker. One entry per method: its params and its result.
 */
export type WireRole = "normal" | "listen" | { whisperTo: string };

export interface WorkerApi {
  "endpoint.create": {
    params: {
      id: string;
      kind?: "rtp" | "webrtc";
      codecs?: CodecName[];
      inbandDtmf?: boolean;
      video?: boolean;
    };
    /** The RTP port (0 for WebRTC, whose ICE ports are chosen per candidate). */
    result: { port: number };
  };
  "endpoint.offer": { params: { id: string; direction: Direction }; result: string };
  "endpoint.answer": { params: { id: string; sdp: string; direction: Direction }; result: string };
  "endpoint.accept": { params: { id: string; sdp: string; direction: Direction }; result: Negotiated };
  "endpoint.dtmf": { params: { id: string; key: DtmfKey; durationMs: number }; result: null };
  "endpoint.stats": { params: { id: string }; result: EndpointStats };
  "endpoint.close": { params: { id: string }; result: null };
  "bridge.create": { params: { id: string; a: string; b: string }; result: null };
  "bridge.close": { params: { id: string }; result: null };
  /** Half of a bridge across workers: `endpoint` relays to and from `port`. */
  "link.create": { params: { id: string; endpoint: string; port: MessagePort }; result: null };
  "play.start": {
    params: {
      id: string;
      endpoint: string;
      prompts: string[];
      loop: boolean;
      stopOnDtmf: boolean | DtmfKey[];
    };
    result: null;
  };
  "play.stop": { params: { id: string }; result: null };
  "record.start": { params: { id: string; path: string; caller: string; agent: string }; result: null };
  "record.pause": { params: { id: string; paused: boolean }; result: null };
  "record.stop": { params: { id: string }; result: { seconds: number } };
  "mixer.create": { params: { id: string }; result: null };
  "mixer.add": { params: { id: string; endpoint: string; role: WireRole }; result: null };
  "mixer.remove": { params: { id: string; endpoint: string }; result: null };
  "mixer.close": { params: { id: string }; result: null };
  "fork.start": {
    params: {
      id: string;
      caller: string;
      agent: string;
      url: string;
      callId: string;
      callerNumber: string;
      mode: ForkMode;
    };
    result: null;
  };
  "fork.stop": { params: { id: string }; result: null };
  "worker.stats": { params: Record<string, never>; result: WorkerStats };
  "worker.close": { params: Record<string, never>; result: null };
}

export type WorkerMethod = keyof WorkerApi;

/** What offer/answer agreed, for either kind of endpoint. */
export interface Negotiated {
  codec: CodecName;
  payloadType: number;
  telephoneEventPt: number | undefined;
}

export interface WorkerStats {
  endpoints: number;
  portsInUse: number;
  bridges: number;
  players: number;
  recordings: number;
  mixers: number;
  forks: number;
  /** Handles (sockets, timers) keeping the worker's event loop alive, as Node reports them. */
  activeResources: Record<string, number>;
}

export interface WorkerInit {
  portMin: number;
  portMax: number;
  bindAddress: string;
  publicAddress?: string;
  rtcpIntervalMs?: number;
  /** ICE ports of WebRTC endpoints (werift picks within it). */
  icePortRange?: [number, number];
  /** Also gather ICE host candidates on these addresses (e.g. 127.0.0.1). */
  iceExtraHostAddresses?: string[];
}

export type WorkerRequest = {
  [M in WorkerMethod]: { id: number; method: M; params: WorkerApi[M]["params"] };
}[WorkerMethod];

export type WorkerResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: MediaErrorCode; message: string } };

/** Unsolicited messages from a worker. */
export type WorkerNotification =
  | { event: "dtmf"; target: string; report: DtmfReport }
  | { event: "latched"; target: string; remote: { address: string; port: number } }
  | { event: "play.done"; target: string; result: PlayResult }
  | { event: "fork.closed"; target: string }
  | { event: "record.closed"; target: string; seconds: number }
  | { event: "stats"; target: string; stats: EndpointStats };
