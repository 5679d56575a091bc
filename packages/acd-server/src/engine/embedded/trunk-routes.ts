/**
 * What the embedded switch asks of the trunk configuration: which trunk an INVITE comes in on
 * (by source address) and which trunk takes a call out to a number. The trunk manager
 * (src/trunks/) answers from the admin-edited table and the OPTIONS probes; channel counting
 * happens here too, so a claim is released when its leg ends.
 */

export interface TrunkClaim {
  readonly trunkId: string;
  /** Frees the channel; idempotent. */
  release(): void;
}

export interface OutboundTrunk extends TrunkClaim {
  host: string;
  port: number;
  transport: "udp" | "tcp" | "tls";
  /** For the carrier's digest challenge (401/407, RFC 3261 §22.2). */
  credentials?: { username: string; password: string };
}

/** Why no trunk can take an outbound call, most telling first. */
export type NoTrunkReason = "no-trunk-serves-number" | "all-trunks-down" | "channel-limit";

export type OutboundChoice = { ok: true; trunk: OutboundTrunk } | { ok: false; reason: NoTrunkReason };

export type InboundChoice =
  | { kind: "trunk"; claim: TrunkClaim }
  /** From a trunk's address, but the trunk has no free channel (answered 503). */
  | { kind: "full"; trunkId: string }
  | { kind: "none" };

export interface TrunkRoutes {
  inbound(address: string): InboundChoice;
  outbound(number: string): OutboundChoice;
}
